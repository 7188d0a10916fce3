/**
 * Signing in and out, and changing one's own password. Failures never say whether the username
 * exists; repeated failures slow down and then lock the account (from that address, or from
 * anywhere for browsers it has never signed in from) for a while; an address is never locked.
 */
import type { Knex } from 'knex';
import { nowIso } from '../../lib/dates.js';
import { appendAuditAs } from '../audit/audit.queries.js';
import { type UserAccount, findAccountById, findAccountByUsername } from '../users/users.queries.js';
import {
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  PAIR_POLICY,
  type ThrottlePolicy,
  type ThrottleState,
  accountKey,
  addressKey,
  clearThrottle,
  countAttempt,
  deviceKey,
  forgiveAttempt,
  lock,
  pairKey,
  slowdownMs,
} from './login-throttle.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';

export const loginMessages = {
  failed: '用户名或密码错误。',
  locked: (until: string) => `登录失败次数过多，已暂时锁定，请 ${minutesUntil(until)} 分钟后再试。如忘记密码，请联系管理员重置。`,
  busyAddress: (until: string) =>
    `从你所在网络登录失败的次数过多，暂时只接受在本浏览器登录过的账户。请 ${minutesUntil(until)} 分钟后再试，或联系管理员。`,
  missing: '请输入用户名和密码。',
} as const;

function minutesUntil(until: string): number {
  return Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 60_000));
}

export type LoginResult =
  | { ok: true; account: UserAccount }
  | { ok: false; message: string; locked: boolean; delayMs: number };

type Scope = 'device' | 'pair' | 'account' | 'address';

interface Counted {
  scope: Scope;
  key: string;
  policy: ThrottlePolicy;
  state: ThrottleState;
}

export interface LoginAttempt {
  now?: Date;
  /** The device this browser is known as for the account (device-cookie.ts), or null. */
  device?: string | null;
}

/**
 * Check a sign-in, throttled (login-throttle.ts): from a browser the account has signed in from
 * before, only that browser's own count applies; otherwise the account from this address, the
 * account from anywhere, and the address's ceiling. Attempts are counted before the password is
 * checked, so parallel attempts beyond a limit never reach argon2; an attempt refused by a lock or
 * the ceiling is then taken back off every count, so a real user's refused attempts never count
 * against them, and a success takes its own attempt back too.
 */
export async function authenticate(db: Knex, usernameInput: string, password: string, ip: string, attempt: LoginAttempt = {}): Promise<LoginResult> {
  const now = attempt.now ?? new Date();
  const username = usernameInput.trim().slice(0, 100);
  if (!username || !password) return { ok: false, message: loginMessages.missing, locked: false, delayMs: 0 };
  const who = { actorId: null as number | null, actorName: username, ip };
  const keys: [Scope, string, ThrottlePolicy][] = attempt.device
    ? [['device', deviceKey(username, attempt.device), PAIR_POLICY]]
    : [
        ['pair', pairKey(username, ip), PAIR_POLICY],
        ['account', accountKey(username), ACCOUNT_POLICY],
        ['address', addressKey(ip), ADDRESS_POLICY],
      ];
  const counted: Counted[] = [];
  for (const [scope, key, policy] of keys) counted.push({ scope, key, policy, state: await countAttempt(db, key, policy, now) });
  const forgive = async () => {
    for (const c of counted) await forgiveAttempt(db, c.key);
  };

  const blocked = counted.find((c) => c.state.lockedUntil !== null || c.state.failures > c.policy.maxFailures);
  if (blocked) {
    await forgive();
    let until = blocked.state.lockedUntil;
    if (!until && blocked.policy.lockMs > 0) until = await lock(db, blocked.key, blocked.policy, now);
    // The address is never locked: it waits until its window has passed.
    until ??= new Date(Date.parse(blocked.state.windowStart) + blocked.policy.windowMs).toISOString();
    await appendAuditAs(db, who, { action: 'login.refused_locked', objectType: 'user', objectId: username, after: { scope: blocked.scope, lockedUntil: until } });
    const message = blocked.scope === 'address' ? loginMessages.busyAddress(until) : loginMessages.locked(until);
    return { ok: false, message, locked: true, delayMs: 0 };
  }

  const account = await findAccountByUsername(db, username);
  const valid = await verifyPassword(account?.isActive ? account.passwordHash : null, password);
  if (valid && account) {
    for (const c of counted) {
      if (c.scope === 'pair' || c.scope === 'device') await clearThrottle(db, c.key);
      else await forgiveAttempt(db, c.key);
    }
    await db('users').where({ id: account.id }).update({ last_login_at: nowIso(now) });
    await appendAuditAs(db, { actorId: account.id, actorName: account.displayName, ip }, { action: 'login.success', objectType: 'user', objectId: account.username });
    return { ok: true, account };
  }

  const actorId = account?.id ?? null;
  const own = counted[0]!;
  await appendAuditAs(db, { ...who, actorId }, { action: 'login.failure', objectType: 'user', objectId: username, after: { failures: own.state.failures, scope: own.scope } });
  let until: string | null = null;
  for (const c of counted) {
    if (c.policy.lockMs > 0 && c.state.failures >= c.policy.maxFailures) {
      until = await lock(db, c.key, c.policy, now);
      await appendAuditAs(db, { ...who, actorId }, { action: 'login.locked', objectType: 'user', objectId: username, after: { scope: c.scope, lockedUntil: until } });
    }
  }
  if (until) return { ok: false, message: loginMessages.locked(until), locked: true, delayMs: 0 };
  const delayMs = Math.max(...counted.map((c) => slowdownMs(c.state.failures, c.policy)));
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
