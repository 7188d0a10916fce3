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

/** Who did it, when there may be no signed-in actor (a failed login names what was typed). */
export interface AuditWho {
  actorId: number | null;
  actorName: string | null;
  ip: string | null;
}

const toJson = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * The audit_log row for an entry, cut to the column sizes; for callers that insert many rows at
 * once (insertChunked) and must write exactly what appendAudit would.
 */
export function auditRowAs(who: AuditWho, entry: AuditEntry, at: string): Record<string, unknown> {
  return {
    at,
    actor_id: who.actorId,
    actor_name: who.actorName?.slice(0, 60) ?? null,
    action: entry.action,
    object_type: entry.objectType ?? null,
    object_id: entry.objectId?.slice(0, 60) ?? null,
    before: toJson(entry.before),
    after: toJson(entry.after),
    ip: who.ip?.slice(0, 64) ?? null,
  };
}

const whoOf = (ctx: WriteContext): AuditWho => ({ actorId: ctx.actor.id, actorName: ctx.actor.displayName, ip: ctx.ip ?? null });

/** auditRowAs for the signed-in actor of a write. */
export function auditRow(ctx: WriteContext, entry: AuditEntry, at: string): Record<string, unknown> {
  return auditRowAs(whoOf(ctx), entry, at);
}

export async function appendAuditAs(db: Db, who: AuditWho, entry: AuditEntry, at = nowIso()): Promise<void> {
  await db('audit_log').insert(auditRowAs(who, entry, at));
}

/** Append one audit row, inside the caller's transaction so it lands with the change or not at all. */
export async function appendAudit(db: Db, ctx: WriteContext, entry: AuditEntry, at = nowIso()): Promise<void> {
  await appendAuditAs(db, whoOf(ctx), entry, at);
}
