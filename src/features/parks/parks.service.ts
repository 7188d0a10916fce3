/**
 * Administering parks and towns (属地): create, rename (the old name kept), merge one into
 * another, retire. Nothing is deleted: firms, users and counters move to the surviving area in
 * the same transaction as the merge, and each change is one audit row.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isPostgres, isUniqueViolation } from '../../db/dialect.js';
import type { WriteContext } from '../../domain/actor.js';
import { can } from '../../domain/permissions.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { nowIso } from '../../lib/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { appendAudit } from '../audit/audit.queries.js';
import { type AreaType, PARK_KIND_LABELS, TOWN_KIND_LABELS, areaNameTaken, areaTables, findArea } from './parks.queries.js';

const WORD: Record<AreaType, string> = { park: '园区/平台', town: '镇街' };

const messages = {
  forbidden: '只有管理员可以管理园区和镇街。',
  name: '请填写名称（不超过 100 字）。',
  kind: (type: AreaType) => (type === 'park' ? '请选择类型：园区、平台或孵化器。' : '请选择类型：街道、镇或乡。'),
  taken: (type: AreaType, name: string) => `已有名为“${name}”的${WORD[type]}（可能已撤销），请换一个名称。`,
  notFound: (type: AreaType) => `找不到这个${WORD[type]}。`,
  retired: (type: AreaType) => `这个${WORD[type]}已撤销，不能再修改。`,
  sameName: '新名称与现在的名称相同。',
  mergeTarget: (type: AreaType) => `请选择要并入的${WORD[type]}（不能是它自己，也不能是已撤销的）。`,
  mergeUnconfirmed: (name: string, into: string) => `请先勾选“确认将 ${name} 并入 ${into}”。`,
  stillUsed: (type: AreaType, firms: number, users: number) =>
    `还有 ${[firms ? `${firms} 家企业` : '', users ? `${users} 位业务员` : ''].filter(Boolean).join('、')}属于这个${WORD[type]}，不能直接撤销：请先把它并入另一个${WORD[type]}。`,
} as const;

export const AREA_KINDS: Record<AreaType, Record<string, string>> = { park: PARK_KIND_LABELS, town: TOWN_KIND_LABELS };

const cleanName = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

function requireAdmin(ctx: WriteContext): void {
  if (!can(ctx.actor, 'parks.manage')) throw new ForbiddenError('FORBIDDEN', messages.forbidden);
}

async function activeArea(db: Knex, type: AreaType, id: number) {
  const area = await findArea(db, type, id);
  if (!area) throw new NotFoundError('AREA_NOT_FOUND', messages.notFound(type));
  if (!area.is_active) throw new ConflictError('AREA_RETIRED', messages.retired(type));
  return area;
}

function validName(raw: string): string {
  const name = cleanName(raw);
  if (!name || name.length > 100) throw new ValidationError({ name: messages.name });
  return name;
}

/** A concurrent create or rename to the same name hits the unique index: the same message as the check. */
async function refuseTakenName<T>(type: AreaType, name: string, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err)) throw new ValidationError({ name: messages.taken(type, name) });
    throw err;
  }
}

/**
 * Counters keyed by the merged area (conversion_counts) are rebuilt for the surviving key from
 * stage_entries, whose key was moved; stage_counts follows the firms by trigger.
 */
async function mergeConversionKeys(trx: Knex.Transaction, key: 'park_key' | 'town_key', from: number, into: number): Promise<void> {
  await trx('stage_entries').where(key, from).update({ [key]: into });
  await trx('conversion_counts').whereIn(key, [from, into]).del();
  const advanced = isPostgres(trx) ? 'CASE WHEN advanced THEN 1 ELSE 0 END' : 'advanced';
  await trx.raw(
    `INSERT INTO conversion_counts (year, stage, park_key, town_key, field_key, entered, advanced)
     SELECT year, stage, park_key, town_key, field_key, count(*), sum(${advanced}) FROM stage_entries WHERE ?? = ?
     GROUP BY year, stage, park_key, town_key, field_key`,
    [key, into],
  );
}

export function createParkService() {
  return {
    async create(db: Knex, type: AreaType, input: { name: string; kind: string }, ctx: WriteContext): Promise<number> {
      requireAdmin(ctx);
      const name = validName(input.name);
      if (!Object.hasOwn(AREA_KINDS[type], input.kind)) throw new ValidationError({ kind: messages.kind(type) });
      if (await areaNameTaken(db, type, name, null)) throw new ValidationError({ name: messages.taken(type, name) });
      const t = areaTables(type);
      const at = nowIso();
      const id = await refuseTakenName(type, name, db.transaction(async (trx) => {
        const max = (await trx(t.table).max({ m: 'sort_order' }).first()) as { m: number | null } | undefined;
        const [row] = await trx(t.table)
          .insert({ code: `${type}-${crypto.randomBytes(4).toString('hex')}`, name, kind: input.kind, is_active: true, sort_order: (max?.m ?? 0) + 1 })
          .returning('id');
        const newId = typeof row === 'object' ? (row as { id: number }).id : (row as number);
        await appendAudit(trx, ctx, { action: `${type}.create`, objectType: type, objectId: String(newId), after: { name, kind: input.kind } }, at);
        return newId;
      }));
      bumpDataGeneration();
      return id;
    },

    async rename(db: Knex, type: AreaType, id: number, rawName: string, ctx: WriteContext): Promise<void> {
      requireAdmin(ctx);
      const area = await activeArea(db, type, id);
      const name = validName(rawName);
      if (name === area.name) throw new ValidationError({ name: messages.sameName });
      if (await areaNameTaken(db, type, name, id)) throw new ValidationError({ name: messages.taken(type, name) });
      const at = nowIso();
      await refuseTakenName(type, name, db.transaction(async (trx) => {
        const n = await trx(areaTables(type).table).where({ id, name: area.name, is_active: true }).update({ name });
        if (n !== 1) throw new ConflictError('AREA_CHANGED', messages.retired(type));
        await trx('area_names').insert({ area_type: type, area_id: id, name: area.name, until: at, changed_by: ctx.actor.id });
        await appendAudit(trx, ctx, { action: `${type}.rename`, objectType: type, objectId: String(id), before: { name: area.name }, after: { name } }, at);
      }));
      bumpDataGeneration();
    },

    /** Everything in `id` moves to `intoId`; `id` is retired with a pointer to where it went. */
    async merge(db: Knex, type: AreaType, id: number, intoId: number | null, confirmed: boolean, ctx: WriteContext): Promise<{ firms: number; users: number; into: string }> {
      requireAdmin(ctx);
      const area = await activeArea(db, type, id);
      const into = intoId !== null && intoId !== id ? await findArea(db, type, intoId) : undefined;
      if (!into || !into.is_active) throw new ValidationError({ into: messages.mergeTarget(type) });
      if (!confirmed) throw new ValidationError({ confirm: messages.mergeUnconfirmed(area.name, into.name) });
      const t = areaTables(type);
      const at = nowIso();
      const result = await db.transaction(async (trx) => {
        const n = await trx(t.table).where({ id, is_active: true }).update({ is_active: false, merged_into: into.id, retired_at: at });
        if (n !== 1) throw new ConflictError('AREA_CHANGED', messages.retired(type));
        const firms = await trx('firms').where(t.firmColumn, id).update({ [t.firmColumn]: into.id });
        // A user who covered both keeps one row for the survivor.
        const holders = (await trx(t.userTable).where(t.userColumn, id).pluck('user_id')) as number[];
        const already = new Set((await trx(t.userTable).where(t.userColumn, into.id).whereIn('user_id', holders).pluck('user_id')) as number[]);
        await trx(t.userTable).where(t.userColumn, id).del();
        const moved = holders.filter((u) => !already.has(u));
        if (moved.length) await trx(t.userTable).insert(moved.map((user_id) => ({ user_id, [t.userColumn]: into.id })));
        await mergeConversionKeys(trx, type === 'park' ? 'park_key' : 'town_key', id, into.id);
        await appendAudit(
          trx,
          ctx,
          { action: `${type}.merge`, objectType: type, objectId: String(id), before: { name: area.name }, after: { mergedInto: into.name, firms, users: holders.length } },
          at,
        );
        return { firms, users: holders.length };
      });
      bumpDataGeneration();
      return { ...result, into: into.name };
    },

    /** Only an empty area is retired: one that still has firms or caseworkers is merged instead. */
    async retire(db: Knex, type: AreaType, id: number, ctx: WriteContext): Promise<void> {
      requireAdmin(ctx);
      const area = await activeArea(db, type, id);
      const t = areaTables(type);
      const at = nowIso();
      await db.transaction(async (trx) => {
        const firms = Number(((await trx('firms').where(t.firmColumn, id).count({ n: '*' }).first()) as { n: number | string }).n);
        const users = Number(((await trx(t.userTable).where(t.userColumn, id).count({ n: '*' }).first()) as { n: number | string }).n);
        if (firms || users) throw new ValidationError({ retire: messages.stillUsed(type, firms, users) }, messages.stillUsed(type, firms, users));
        const n = await trx(t.table).where({ id, is_active: true }).update({ is_active: false, retired_at: at });
        if (n !== 1) throw new ConflictError('AREA_CHANGED', messages.retired(type));
        await appendAudit(trx, ctx, { action: `${type}.retire`, objectType: type, objectId: String(id), before: { name: area.name }, after: { isActive: false } }, at);
      });
      bumpDataGeneration();
    },
  };
}

export type ParkService = ReturnType<typeof createParkService>;
