import type { Db } from '../../db/types.js';
import type { WriteContext } from '../../domain/actor.js';
import { nowIso } from '../../lib/dates.js';

export interface AuditEntry {
  action: string;
  objectType?: string | null;
  objectId?: string | null;
  before?: unknown;
  after?: unknown;
}

const toJson = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** Append one audit row, inside the caller's transaction so it lands with the change or not at all. */
export async function appendAudit(db: Db, ctx: WriteContext, entry: AuditEntry, at = nowIso()): Promise<void> {
  await db('audit_log').insert({
    at,
    actor_id: ctx.actor.id,
    actor_name: ctx.actor.displayName,
    action: entry.action,
    object_type: entry.objectType ?? null,
    object_id: entry.objectId ?? null,
    before: toJson(entry.before),
    after: toJson(entry.after),
    ip: ctx.ip ?? null,
  });
}
