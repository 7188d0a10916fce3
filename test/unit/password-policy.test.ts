/**
 * The password rules (issue 8, item 7; ASVS 4.0.3 §2.1): common, breached, keyboard-walk and
 * pinyin passwords are refused with a reason a user can act on, as are the user name and the words
 * of this system and place; sentences of any language and random passwords pass.
 */
import { expect } from 'chai';
import { checkPasswordPolicy, generatePassword } from '../../src/features/accounts/passwords.js';

describe('password policy', () => {
  const refused = (password: string, username = 'wangxy') => checkPasswordPolicy(password, username);

  it('refuses the keyboard walks and padded common passwords a review found accepted', () => {
    for (const p of ['1qaz2wsx3edc', 'qwertyuiop123', '123456789abc']) expect(refused(p), p).to.be.a('string');
  });

  it('refuses variants of them: other walks, shifted walks, the keypad, digits around a breached password', () => {
    for (const p of ['zaq12wsxcde3', 'qazwsxedcrfv', '!QAZ2wsx#EDC', '1q2w3e4r5t6y7u', 'qwer1234asdf', 'zxcvbnm,./123', '147258369abc', 'password1234', 'P@ssw0rd2024!', 'Admin@123456', 'summer2024!!', 'iloveyou1314']) {
      expect(refused(p), p).to.be.a('string');
    }
  });

  it('refuses pinyin words, common names and the "I love you" number codes, with digits or dates', () => {
    for (const p of ['woaini1314520', 'woainiwoaini', 'wangxiaoming88', 'liuyang123456', 'zhang123456789', 'shanghai2008beijing', 'tiantianxiangshang', 'zhangwei19850612']) {
      expect(refused(p), p).to.be.a('string');
    }
    expect(refused('wangxiaoming88')).to.include('拼音');
  });

  it('refuses the user name and the words of this system and place, in either script', () => {
    expect(refused('my name is wangxy, ok?', 'wangxy')).to.include('用户名');
    expect(refused('My name is WangXY, ok?', 'wangxy')).to.include('用户名');
    const cases: [string, string][] = [['我负责的苗圃系统每天都很好用', '苗圃'], ['Miaopu is where I work', 'miaopu'], ['the river at YuYao 2026', 'yuyao'], ['我住在余姚的江边二十年了', '余姚']];
    for (const [p, word] of cases) {
      expect(refused(p), p).to.include(word);
    }
  });

  it('keeps the length rules: 12 to 128 characters of anything, no composition rules', () => {
    expect(refused('短一点的')).to.include('至少 12');
    expect(refused('x'.repeat(129))).to.include('不能超过');
    expect(refused('a'.repeat(14))).to.be.a('string');
  });

  it('accepts sentences in Chinese or English, random passwords and generated ones', () => {
    for (const p of ['扫描之后换上的一句新口令', '科技局的新密码 2026 年', 'tea kettle on the stove', 'my cat is called tom', 'xK9#mQ2$vL7p', 'Lanhua-shan-2019', '我的工号是三七九二一零五八', generatePassword()]) {
      expect(refused(p), p).to.equal(null);
    }
  });
});
