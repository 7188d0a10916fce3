/**
 * User administration: create, change role and park scope, disable and enable (never delete),
 * reset a password. The last active administrator cannot be demoted or disabled, nobody changes
 * their own role or disables themselves, and any change to a user's access ends their sessions.
 */
import type { Knex } from 'knex';
import { type Role, type WriteContext, isRole } from '../../domain/actor.js';
import { can } from '../../domain/permissions.js';
import { isUniqueViolation } from '../../db/dialect.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso } from '../../lib/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { checkPasswordPolicy, generatePassword, hashPassword } from '../accounts/passwords.js';
import type { KnexSessionStore } from '../accounts/session-store.js';
import { claimFormKey } from '../../web/form-keys.js';
import { appendAudit } from '../audit/audit.queries.js';
import { countActiveAdmins, findAccountById, findAccountByUsername, setUserParks, type UserAccount } from './users.queries.js';

const messages = {
  forbidden: '只有管理员可以管理用户。',
  notFound: '找不到这个用户。',
  stale: '该用户刚被其他管理员修改过，请刷新后再操作。',
  username: '用户名为 3–40 位小写字母、数字、点、横线或下划线。',
  usernameTaken: '该用户名已被使用（含已停用的账户）。',
  displayName: '请填写姓名（不超过 30 字）。',
  role: '请选择角色。',
  parks: '请选择列表中的园区或平台。',
  towns: '请选择列表中的镇街。',
  parksOnlyForCaseworkers: '只有业务员可以限定负责园区。',
  lastAdmin: '这是最后一位在用的管理员，不能停用或改为其他角色。',
  ownRole: '不能修改自己的角色。',
  ownDisable: '不能停用自己的账户。',
} as const;

export interface UserInput {
  username: string;
  displayName: string;
  role: string;
  parkIds: number[];
  /** Towns (街道/镇/乡) the caseworker is limited to, besides parkIds; absent: none. */
  townIds?: number[];
  /** Blank: generate a temporary password. */
  password: string;
}

function assertAdmin(ctx: WriteContext): void {
  if (!can(ctx.actor, 'users.manage')) throw new ForbiddenError('FORBIDDEN', messages.forbidden);
}

async function validateAccess(db: Knex, input: Pick<UserInput, 'displayName' | 'role' | 'parkIds' | 'townIds'>, errors: Record<string, string>): Promise<void> {
  const name = input.displayName.trim();
  if (!name || [...name].length > 30) errors.displayName = messages.displayName;
  if (!isRole(input.role)) errors.role = messages.role;
  if (input.parkIds.length) {
    if (input.role !== 'caseworker') errors.parkIds = messages.parksOnlyForCaseworkers;
    const known = (await db('parks').whereIn('id', input.parkIds).count({ n: '*' }).first()) as { n: number | string };
    // The form's list comes de-duplicated (users.routes); a repeated id here is refused, not inserted twice.
    if (Number(known.n) !== input.parkIds.length) errors.parkIds = messages.parks;
  }
  const townIds = input.townIds ?? [];
  if (townIds.length) {
    if (input.role !== 'caseworker') errors.townIds = messages.parksOnlyForCaseworkers;
    const known = (await db('towns').whereIn('id', townIds).where('is_active', true).count({ n: '*' }).first()) as { n: number | string };
    if (Number(known.n) !== townIds.length) errors.townIds = messages.towns;
  }
}

function accessView(u: Pick<UserAccount, 'displayName' | 'role' | 'parkIds' | 'townIds' | 'isActive'>) {
  return { displayName: u.displayName, role: u.role, parkIds: u.parkIds, townIds: u.townIds, isActive: u.isActive };
}

export function createUserService(store: KnexSessionStore) {
  async function loadForChange(db: Knex, id: number, version: number): Promise<UserAccount> {
    const user = await findAccountById(db, id);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', messages.notFound);
    if (user.version !== version) throw new ConflictError('USER_STALE', messages.stale);
    return user;
  }

  async function guardLastAdmin(db: Knex, user: UserAccount, losesAdmin: boolean): Promise<void> {
    if (losesAdmin && user.role === 'admin' && user.isActive && (await countActiveAdmins(db)) <= 1) {
      throw new ValidationError({ role: messages.lastAdmin }, messages.lastAdmin, 'LAST_ADMIN');
    }
  }

  return {
    /** Returns the temporary password when one was generated (shown once, never stored in clear). */
    async create(db: Knex, input: UserInput, ctx: WriteContext): Promise<{ user: UserAccount; temporaryPassword: string | null }> {
      assertAdmin(ctx);
      const errors: Record<string, string> = {};
      const username = input.username.trim().toLowerCase();
      if (!/^[a-z0-9._-]{3,40}$/.test(username)) errors.username = messages.username;
      else if (await findAccountByUsername(db, username)) errors.username = messages.usernameTaken;
      await validateAccess(db, input, errors);
      const generated = input.password === '' ? generatePassword() : null;
      const password = generated ?? input.password;
      if (!generated) {
        const weak = checkPasswordPolicy(password, username);
        if (weak) errors.password = weak;
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const at = nowIso();
      const passwordHash = await hashPassword(password);
      const id = await db.transaction(async (trx) => {
        // The form's key first: a second submission of this form stops here, not at "name taken".
        const recordResult = await claimFormKey(trx, ctx);
        const [row] = await trx('users')
          .insert({
            username,
            display_name: input.displayName.trim(),
            role: input.role,
            password_hash: passwordHash,
            must_change_password: true,
            is_active: true,
            version: 1,
            created_at: at,
            updated_at: at,
          })
          .returning('id')
          .catch((err: unknown) => {
            // A concurrent create took the name between the check above and this insert.
            if (isUniqueViolation(err)) throw new ValidationError({ username: messages.usernameTaken });
            throw err;
          });
        const userId = typeof row === 'object' ? (row as { id: number }).id : (row as number);
        await setUserParks(trx, userId, input.parkIds, input.townIds ?? []);
        await appendAudit(trx, ctx, {
          action: 'user.create',
          objectType: 'user',
          objectId: username,
          after: { displayName: input.displayName.trim(), role: input.role, parkIds: input.parkIds, townIds: input.townIds ?? [] },
        }, at);
        await recordResult(`/admin/users/${userId}`);
        return userId;
      });
      bumpDataGeneration(); // the counsellor lists in the filter bars
      return { user: (await findAccountById(db, id))!, temporaryPassword: generated };
    },

    /** Name, role and areas. Saved unchanged: nothing written, no version, no audit row (`changed` false). */
    async updateAccess(db: Knex, id: number, version: number, input: Pick<UserInput, 'displayName' | 'role' | 'parkIds' | 'townIds'>, ctx: WriteContext): Promise<{ user: UserAccount; changed: boolean }> {
      assertAdmin(ctx);
      const user = await loadForChange(db, id, version);
      const errors: Record<string, string> = {};
      await validateAccess(db, input, errors);
      if (user.id === ctx.actor.id && input.role !== user.role) errors.role = messages.ownRole;
      if (Object.keys(errors).length) throw new ValidationError(errors);
      await guardLastAdmin(db, user, input.role !== 'admin');
      const { parkIds } = input;
      const townIds = input.townIds ?? [];
      const accessChanged = input.role !== user.role || parkIds.join() !== user.parkIds.join() || townIds.join() !== user.townIds.join();
      if (!accessChanged && input.displayName.trim() === user.displayName) return { user, changed: false };
      const at = nowIso();
      await db.transaction(async (trx) => {
        const n = await trx('users').where({ id, version }).update({ display_name: input.displayName.trim(), role: input.role as Role, version: version + 1, updated_at: at });
        if (n !== 1) throw new ConflictError('USER_STALE', messages.stale);
        await setUserParks(trx, id, parkIds, townIds);
        await appendAudit(trx, ctx, {
          action: 'user.update',
          objectType: 'user',
          objectId: user.username,
          before: accessView(user),
          after: { ...accessView(user), displayName: input.displayName.trim(), role: input.role, parkIds, townIds },
        }, at);
      });
      if (accessChanged) await store.destroyUserSessions(id);
      bumpDataGeneration();
      return { user: (await findAccountById(db, id))!, changed: true };
    },

    async setActive(db: Knex, id: number, version: number, active: boolean, ctx: WriteContext): Promise<UserAccount> {
      assertAdmin(ctx);
      const user = await loadForChange(db, id, version);
      if (!active && user.id === ctx.actor.id) throw new ValidationError({ isActive: messages.ownDisable }, messages.ownDisable, 'OWN_DISABLE');
      if (!active) await guardLastAdmin(db, user, true);
      const at = nowIso();
      await db.transaction(async (trx) => {
        const n = await trx('users').where({ id, version }).update({ is_active: active, version: version + 1, updated_at: at });
        if (n !== 1) throw new ConflictError('USER_STALE', messages.stale);
        await appendAudit(trx, ctx, { action: active ? 'user.enable' : 'user.disable', objectType: 'user', objectId: user.username, before: { isActive: user.isActive }, after: { isActive: active } }, at);
      });
      if (!active) await store.destroyUserSessions(id);
      bumpDataGeneration();
      return (await findAccountById(db, id))!;
    },

    async resetPassword(db: Knex, id: number, version: number, ctx: WriteContext): Promise<{ user: UserAccount; temporaryPassword: string }> {
      assertAdmin(ctx);
      const user = await loadForChange(db, id, version);
      const temporaryPassword = generatePassword();
      const passwordHash = await hashPassword(temporaryPassword);
      const at = nowIso();
      await db.transaction(async (trx) => {
        const n = await trx('users').where({ id, version }).update({ password_hash: passwordHash, must_change_password: true, password_changed_at: at, version: version + 1, updated_at: at });
        if (n !== 1) throw new ConflictError('USER_STALE', messages.stale);
        await appendAudit(trx, ctx, { action: 'user.password_reset', objectType: 'user', objectId: user.username }, at);
      });
      await store.destroyUserSessions(id);
      return { user: (await findAccountById(db, id))!, temporaryPassword };
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
