/**
 * Signing in and out, and changing one's own password. Failures never say whether the username
 * exists; repeated failures slow down and then lock the account and the address for a while.
 */
import type { Knex } from 'knex';
import { nowIso } from '../../lib/dates.js';
import { appendAuditAs } from '../audit/audit.queries.js';
import { type UserAccount, findAccountById, findAccountByUsername } from '../users/users.queries.js';
import {
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  accountKey,
  addressKey,
  clearThrottle,
  countAttempt,
  forgiveAttempt,
  lock,
  slowdownMs,
} from './login-throttle.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';

export const loginMessages = {
  failed: '用户名或密码错误。',
  locked: (until: string) => {
    const minutes = Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 60_000));
    return `登录失败次数过多，已暂时锁定，请 ${minutes} 分钟后再试。如忘记密码，请联系管理员重置。`;
  },
  missing: '请输入用户名和密码。',
} as const;

export type LoginResult =
  | { ok: true; account: UserAccount }
  | { ok: false; message: string; locked: boolean; delayMs: number };

export async function authenticate(db: Knex, usernameInput: string, password: string, ip: string, now = new Date()): Promise<LoginResult> {
  const username = usernameInput.trim().slice(0, 100);
  if (!username || !password) return { ok: false, message: loginMessages.missing, locked: false, delayMs: 0 };
  const accountK = accountKey(username);
  const addressK = addressKey(ip);
  const who = { actorId: null as number | null, actorName: username, ip };

  // Count first, check the password after: parallel attempts beyond the limit never reach argon2.
  const perAccount = await countAttempt(db, accountK, ACCOUNT_POLICY, now);
  const perAddress = await countAttempt(db, addressK, ADDRESS_POLICY, now);
  const lockedUntil = perAccount.lockedUntil ?? perAddress.lockedUntil;
  const overLimit = perAccount.failures > ACCOUNT_POLICY.maxFailures || perAddress.failures > ADDRESS_POLICY.maxFailures;
  if (lockedUntil || overLimit) {
    const accountOver = perAccount.failures > ACCOUNT_POLICY.maxFailures;
    const until = lockedUntil ?? (await lock(db, accountOver ? accountK : addressK, accountOver ? ACCOUNT_POLICY : ADDRESS_POLICY, now));
    await appendAuditAs(db, who, { action: 'login.refused_locked', objectType: 'user', objectId: username, after: { lockedUntil: until } });
    return { ok: false, message: loginMessages.locked(until), locked: true, delayMs: 0 };
  }

  const account = await findAccountByUsername(db, username);
  const valid = await verifyPassword(account?.isActive ? account.passwordHash : null, password);
  if (valid && account) {
    await clearThrottle(db, accountK);
    await forgiveAttempt(db, addressK);
    await db('users').where({ id: account.id }).update({ last_login_at: nowIso(now) });
    await appendAuditAs(db, { actorId: account.id, actorName: account.displayName, ip }, { action: 'login.success', objectType: 'user', objectId: account.username });
    return { ok: true, account };
  }

  const actorId = account?.id ?? null;
  await appendAuditAs(db, { ...who, actorId }, { action: 'login.failure', objectType: 'user', objectId: username, after: { failures: perAccount.failures } });
  let until: string | null = null;
  for (const [state, key, policy, scope] of [
    [perAccount, accountK, ACCOUNT_POLICY, 'account'],
    [perAddress, addressK, ADDRESS_POLICY, 'address'],
  ] as const) {
    if (state.failures >= policy.maxFailures) {
      until = await lock(db, key, policy, now);
      await appendAuditAs(db, { ...who, actorId }, { action: 'login.locked', objectType: 'user', objectId: username, after: { scope, lockedUntil: until } });
    }
  }
  if (until) return { ok: false, message: loginMessages.locked(until), locked: true, delayMs: 0 };
  const delayMs = Math.max(slowdownMs(perAccount.failures, ACCOUNT_POLICY), slowdownMs(perAddress.failures, ADDRESS_POLICY));
  return { ok: false, message: loginMessages.failed, locked: false, delayMs };
}

export type PasswordChangeResult = { ok: true } | { ok: false; errors: Record<string, string> };

export async function changeOwnPassword(
  db: Knex,
  userId: number,
  input: { current: string; next: string; confirm: string },
  ip: string | null,
): Promise<PasswordChangeResult> {
  const account = await findAccountById(db, userId);
  if (!account) return { ok: false, errors: { current: '账户不存在。' } };
  const errors: Record<string, string> = {};
  if (!(await verifyPassword(account.passwordHash, input.current))) errors.current = '当前密码不正确。';
  const policy = checkPasswordPolicy(input.next, account.username);
  if (policy) errors.next = policy;
  else if (input.next !== input.confirm) errors.confirm = '两次输入的新密码不一致。';
  else if (input.next === input.current) errors.next = '新密码不能与当前密码相同。';
  if (Object.keys(errors).length) return { ok: false, errors };
  // Hashed before the transaction: on SQLite it holds the only connection, and argon2 takes a while.
  const passwordHash = await hashPassword(input.next);
  const at = nowIso();
  await db.transaction(async (trx) => {
    await trx('users').where({ id: userId }).update({ password_hash: passwordHash, must_change_password: false, password_changed_at: at, updated_at: at });
    await appendAuditAs(trx, { actorId: account.id, actorName: account.displayName, ip }, { action: 'user.password_change', objectType: 'user', objectId: account.username }, at);
  });
  return { ok: true };
}
