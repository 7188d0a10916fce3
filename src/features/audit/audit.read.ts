/** Reading the audit log, newest first, filtered; the app only ever appends to it. */
import type { Db } from '../../db/types.js';
import { shanghaiStartOfDay } from '../../lib/dates.js';

export interface AuditFilters {
  actorId?: number;
  /** Firms' credit codes (object_type firm): one code typed, or the firms whose name holds the text typed. */
  firms?: string[];
  /** An exact action, or a family ending in '.' (e.g. 'login.'). */
  action?: string;
  from?: string;
  to?: string;
}

export interface AuditRow {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}

interface Row {
  id: number | string;
  at: string;
  actor_id: number | null;
  actor_name: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  before: string | null;
  after: string | null;
  ip: string | null;
}

const parse = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

export async function listAudit(db: Db, filters: AuditFilters, limit: number, beforeId: number | null): Promise<AuditRow[]> {
  const qb = db('audit_log').orderBy('id', 'desc').limit(limit);
  if (filters.actorId !== undefined) qb.where('actor_id', filters.actorId);
  if (filters.firms) qb.where('object_type', 'firm').whereIn('object_id', filters.firms.length ? filters.firms : ['-']);
  if (filters.action) {
    if (filters.action.endsWith('.')) qb.where('action', '>=', filters.action).andWhere('action', '<', `${filters.action}\u007f`);
    else qb.where('action', filters.action);
  }
  if (filters.from) qb.where('at', '>=', shanghaiStartOfDay(filters.from));
  if (filters.to) {
    const next = new Date(Date.parse(`${filters.to}T00:00:00Z`) + 86400_000).toISOString().slice(0, 10);
    qb.where('at', '<', shanghaiStartOfDay(next));
  }
  if (beforeId !== null) qb.where('id', '<', beforeId);
  const rows = (await qb) as Row[];
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    before: parse(r.before),
    after: parse(r.after),
    ip: r.ip,
  }));
}
