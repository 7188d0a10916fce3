/** /admin/users: the administrator's screens for accounts. */
import express, { type Request, type Router } from 'express';
import type { Knex } from 'knex';
import { ROLES, ROLE_LABELS } from '../../domain/actor.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt, raw, str } from '../../web/forms.js';
import { requireRecentAuth } from '../../web/reauth.js';
import { listParks, listTowns } from '../parks/parks.queries.js';
import { findAccountById, listAccounts, type UserAccount } from './users.queries.js';
import type { UserInput, UserService } from './users.service.js';

/**
 * Distinct and ascending: a repeated parkIds field would otherwise insert the same user_parks row
 * twice, and the service compares the list with the stored one (read in park order).
 */
function parkIdsOf(body: Record<string, unknown>, key: 'parkIds' | 'townIds' = 'parkIds'): number[] {
  const raw = body[key];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const ids = list.map((v) => positiveInt(v)).filter((n): n is number => n !== null);
  return [...new Set(ids)].sort((a, b) => a - b);
}

function inputOf(req: Request): UserInput {
  const body = req.body as Record<string, unknown>;
  return {
    username: str(body.username),
    displayName: str(body.displayName),
    role: str(body.role),
    parkIds: parkIdsOf(body),
    townIds: parkIdsOf(body, 'townIds'),
    password: raw(body.password),
  };
}

export function usersRouter(db: Knex, users: UserService): Router {
  const router = express.Router();
  router.use('/admin/users', requirePermission('users.manage'), requireRecentAuth(db));

  const roles = ROLES.map((key) => ({ key, label: ROLE_LABELS[key] }));

  async function renderList(res: express.Response, extra: Record<string, unknown> = {}, status = 200) {
    const [accounts, parks, towns] = await Promise.all([listAccounts(db), listParks(db), listTowns(db)]);
    const parkName = new Map(parks.map((p) => [p.id, p.name]));
    const townName = new Map(towns.map((t) => [t.id, t.name]));
    res.status(status).render('admin/users', {
      title: '用户管理',
      nav: 'users',
      accounts: accounts.map((a) => ({ ...a, roleLabel: ROLE_LABELS[a.role], parkNames: [...a.parkIds.map((id) => parkName.get(id) ?? id), ...a.townIds.map((id) => townName.get(id) ?? id)] })),
      parks,
      towns,
      roles,
      values: { role: 'caseworker', parkIds: [], townIds: [] },
      errors: {},
      ...extra,
    });
  }

  router.get('/admin/users', async (_req, res) => renderList(res));

  router.post('/admin/users', async (req, res) => {
    const input = inputOf(req);
    try {
      const { user, temporaryPassword } = await users.create(db, input, writeContext(req, res));
      renderCreated(res, user, temporaryPassword, '用户已创建');
    } catch (err) {
      if (err instanceof ValidationError) return renderList(res, { values: { ...input, password: '' }, errors: err.fieldErrors, openCreate: true }, 422);
      throw err;
    }
  });

  function renderCreated(res: express.Response, user: UserAccount, temporaryPassword: string | null, heading: string) {
    res.render('admin/user-password', { title: heading, nav: 'users', user, roleLabel: ROLE_LABELS[user.role], temporaryPassword, heading });
  }

  async function loadUser(id: unknown): Promise<UserAccount> {
    const userId = positiveInt(id);
    const user = userId ? await findAccountById(db, userId) : null;
    if (!user) throw new NotFoundError('USER_NOT_FOUND', '找不到这个用户。');
    return user;
  }

  async function renderEdit(res: express.Response, user: UserAccount, values: Record<string, unknown>, errors: Record<string, string>, status = 200) {
    res.status(status).render('admin/user-edit', {
      title: `编辑用户 ${user.displayName}`,
      nav: 'users',
      user,
      roles,
      parks: await listParks(db),
      towns: await listTowns(db),
      values,
      errors,
      isSelf: user.id === actorOfResponse(res).id,
    });
  }

  router.get('/admin/users/:id', async (req, res) => {
    const user = await loadUser(req.params.id);
    await renderEdit(res, user, { displayName: user.displayName, role: user.role, parkIds: user.parkIds, townIds: user.townIds }, {});
  });

  router.post('/admin/users/:id', async (req, res) => {
    const user = await loadUser(req.params.id);
    const input = inputOf(req);
    const version = positiveInt((req.body as Record<string, unknown>).version) ?? 0;
    try {
      const { changed } = await users.updateAccess(db, user.id, version, input, writeContext(req, res));
      if (changed) setFlash(req, 'success', `已保存 ${input.displayName} 的设置。`);
      else setFlash(req, 'info', `没有修改：${input.displayName} 的设置与保存前相同。`);
      res.redirect(303, '/admin/users');
    } catch (err) {
      if (err instanceof ValidationError) return renderEdit(res, user, input as unknown as Record<string, unknown>, err.fieldErrors, 422);
      throw err;
    }
  });

  for (const [path, active] of [['disable', false], ['enable', true]] as const) {
    router.post(`/admin/users/:id/${path}`, async (req, res) => {
      const user = await loadUser(req.params.id);
      const version = positiveInt((req.body as Record<string, unknown>).version) ?? 0;
      try {
        await users.setActive(db, user.id, version, active, writeContext(req, res));
      } catch (err) {
        if (err instanceof ValidationError) {
          setFlash(req, 'error', err.message);
          return res.redirect(303, '/admin/users');
        }
        throw err;
      }
      setFlash(req, 'success', active ? `已启用 ${user.displayName}。` : `已停用 ${user.displayName}，其登录已立即失效。`);
      res.redirect(303, '/admin/users');
    });
  }

  router.post('/admin/users/:id/reset-password', async (req, res) => {
    const user = await loadUser(req.params.id);
    const version = positiveInt((req.body as Record<string, unknown>).version) ?? 0;
    const { user: updated, temporaryPassword } = await users.resetPassword(db, user.id, version, writeContext(req, res));
    renderCreated(res, updated, temporaryPassword, '密码已重置');
  });

  return router;
}
