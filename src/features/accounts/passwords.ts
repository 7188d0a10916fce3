/**
 * Passwords: argon2id through @node-rs/argon2 (its defaults are OWASP's: m=19456 KiB, t=2, p=1).
 * The policy follows ASVS 4.0.3 §2.1: length 12–128, any Unicode, no composition rules, no common
 * passwords.
 */
import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

// Long passwords people actually choose (a local list: the bureau network has no breach API).
const COMMON = new Set([
  '123456789012', '1234567890ab', '123123123123', '111111111111', '000000000000', '123456123456',
  'qwertyuiop12', 'qwerty123456', '1q2w3e4r5t6y', 'qwertyuiopas', 'asdfghjkl123', 'zxcvbnm12345',
  'passwordpassword', 'password1234', 'password123456', 'passw0rd1234', 'p@ssw0rd1234', 'admin1234567',
  'administrator', 'abcdefghijkl', 'abc123456789', 'a12345678910', 'aa1234567890', 'iloveyou1234',
  'woaini520520', 'woaini131420', 'woaini1314520', '520131452013', '5201314520131', 'wodemima1234',
  'miaopu-demo', 'miaopu123456', 'yuyao1234567', 'yuyao123456789', 'kejiju123456', 'ningbo123456',
  'zhejiang123456', '88888888888888', '666666666666', '147258369147', '159753159753', '987654321098',
]);

export function checkPasswordPolicy(password: string, username: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `密码至少 ${PASSWORD_MIN} 个字符（可以用一句好记的话，含空格、中文均可）。`;
  if (length > PASSWORD_MAX) return `密码不能超过 ${PASSWORD_MAX} 个字符。`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return '这个密码太常见，容易被猜到，请换一个。';
  if (username && lower.includes(username.toLowerCase())) return '密码中不要包含用户名。';
  if (/^(.)\1+$/u.test(password)) return '密码不能由同一个字符重复组成。';
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
