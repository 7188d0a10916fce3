/**
 * Passwords: argon2id through @node-rs/argon2 (its defaults are OWASP's: m=19456 KiB, t=2, p=1).
 * The policy follows ASVS 4.0.3 §2.1: length 12–128, any Unicode, no composition rules, nothing
 * guessable (checkPasswordPolicy).
 */
import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import { PINYIN_PASSWORD_WORDS } from './data/pinyin-passwords.js';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/**
 * Words that belong to this system and its place: whoever guesses at a Miaopu password tries them
 * first, in either script.
 */
const CONTEXT_WORDS = ['miaopu', 'yuyao', '苗圃', '余姚'];

/**
 * How many guesses a password must be expected to take (zxcvbn's estimate) before it is accepted:
 * 10¹⁰, zxcvbn's top score, is out of reach of an online attack here (login throttling) and of
 * years of offline argon2id guessing, and it catches shifted keyboard walks (!QAZ2wsx#EDC) that a
 * lower bar lets through; a twelve-character sentence in any language passes easily.
 */
const MIN_GUESSES_LOG10 = 10;

let estimator: ZxcvbnFactory | null = null;

/**
 * zxcvbn with the breached-password list of @zxcvbn-ts/language-common (the passwords seen more
 * than ten times in the 10-million-entry xato leak corpus, less those its own patterns already
 * find: keyboard walks on QWERTY and the keypad, sequences, repeats, dates), plus pinyin words,
 * names and number phrases (data/pinyin-passwords.ts). Built once, on first use.
 */
function strength(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, 'pinyin-common': [...PINYIN_PASSWORD_WORDS] },
    graphs: zxcvbnCommon.adjacencyGraphs,
  });
  return estimator;
}

const messages = {
  tooShort: `密码至少 ${PASSWORD_MIN} 个字符（可以用一句好记的话，含空格、中文均可）。`,
  tooLong: `密码不能超过 ${PASSWORD_MAX} 个字符。`,
  username: '密码中不要包含用户名。',
  context: (word: string) => `密码中不要包含“${word}”这类与本系统、本地相关的词，它们最先被人猜。`,
  repeated: '密码不能由同一个字符重复组成。',
  common: '这个密码太常见，出现在泄露的密码库中，容易被猜到，请换一个。',
  keyboard: '这个密码主要是键盘上相邻的键，容易被猜到，请换一个（可以用一句只有你知道的话）。',
  pinyin: '这个密码主要由常见的拼音、姓名或数字组成，容易被猜到，请换一个（可以用一句只有你知道的话）。',
  date: '这个密码主要是日期或年份，容易被猜到，请换一个。',
  weak: '这个密码规律太明显（如连续的字母数字、重复的片段），容易被猜到，请换一个。',
} as const;

/** Why zxcvbn found the password guessable, in words a user can act on. */
function weakness(sequence: ZxcvbnResult['sequence']): string {
  const patterns = sequence.map((m) => (m.pattern === 'dictionary' ? `dictionary:${(m as { dictionaryName?: string }).dictionaryName ?? ''}` : m.pattern));
  if (patterns.some((p) => p === 'spatial')) return messages.keyboard;
  if (patterns.some((p) => p === 'dictionary:passwords-common')) return messages.common;
  if (patterns.some((p) => p === 'dictionary:pinyin-common')) return messages.pinyin;
  if (patterns.some((p) => p === 'date' || p === 'regex')) return messages.date;
  return messages.weak;
}

/**
 * The password rules (ASVS 4.0.3 §2.1): 12–128 characters of anything, no composition rules, not
 * guessable: not the user name, no word of this system or place, not a breached password, keyboard
 * walk or pinyin-and-digits pattern (zxcvbn's estimate, with the lists above).
 */
export function checkPasswordPolicy(password: string, username: string, otherInputs: string[] = []): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return messages.tooShort;
  if (length > PASSWORD_MAX) return messages.tooLong;
  const lower = password.toLowerCase();
  if (username && lower.includes(username.toLowerCase())) return messages.username;
  const context = CONTEXT_WORDS.find((w) => lower.includes(w));
  if (context) return messages.context(context);
  if (/^(.)\1+$/u.test(password)) return messages.repeated;
  const result = strength().check(password, [username, ...otherInputs, ...CONTEXT_WORDS].filter(Boolean));
  if (result.guessesLog10 < MIN_GUESSES_LOG10) return weakness(result.sequence);
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verifying against a real hash when the user does not exist keeps the response time the same,
// so timing does not reveal which usernames exist.
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hash('no-such-user-dummy-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A readable temporary password (for resets and the first admin): 4 groups of 4 from an unambiguous set. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  let out = '';
  for (let i = 0; i < 16; i++) {
    // randomInt, not a byte modulo 31: every letter equally likely.
    out += alphabet[crypto.randomInt(alphabet.length)];
    if (i % 4 === 3 && i < 15) out += '-';
  }
  return out;
}
