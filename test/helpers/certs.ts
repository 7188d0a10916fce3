/** Register rows for report tests, written as the register writes them: the row and its history. */
import type { Knex } from 'knex';

export interface CertSeed {
  firmId: number;
  kind: 'tsme' | 'tsme_prov' | 'hte' | 'leading' | 'little_giant';
  year: number;
  number?: string | null;
  mode?: 'first' | 'renewal' | null;
  level?: string | null;
  appliedOn?: string | null;
  publicizedOn?: string | null;
  filedOn?: string | null;
  issuedOn?: string | null;
  validUntil?: string | null;
  status?: 'pending' | 'active' | 'failed' | 'revoked';
  statusOn?: string | null;
  /** When it was recorded (ISO). */
  at: string;
  by: number;
}

const idOf = (r: unknown) => (typeof r === 'object' ? (r as { id: number }).id : (r as number));

function snapshot(c: CertSeed) {
  return {
    firm_id: c.firmId,
    kind: c.kind,
    year: c.year,
    number: c.number ?? null,
    level: c.level ?? null,
    mode: c.mode ?? null,
    applied_on: c.appliedOn ?? null,
    publicized_on: c.publicizedOn ?? null,
    filed_on: c.filedOn ?? null,
    issued_on: c.issuedOn ?? null,
    valid_until: c.validUntil ?? null,
    valid_until_override: false,
    status: c.status ?? 'active',
    status_reason_code: null,
    status_reason: null,
    status_on: c.statusOn ?? null,
    note: null,
    is_void: false,
    version: 1,
  };
}

export async function insertCert(db: Knex, c: CertSeed): Promise<number> {
  const s = snapshot(c);
  const [row] = await db('certifications').insert({ ...s, source: 'register', created_at: c.at, updated_at: c.at, created_by: c.by, updated_by: c.by }).returning('id');
  const id = idOf(row);
  await db('certification_history').insert({ certification_id: id, ...s, change: 'create', recorded_at: c.at, recorded_by: c.by });
  return id;
}

/** A later correction: the row is voided (as the register's 作废 does), with its history row. */
export async function voidCert(db: Knex, id: number, at: string, by: number): Promise<void> {
  const row = (await db('certifications').where({ id }).first()) as Record<string, unknown>;
  const version = Number(row.version) + 1;
  await db('certifications').where({ id }).update({ is_void: true, version, updated_at: at, updated_by: by });
  const { id: _id, source: _s, import_batch_id: _b, created_at: _c, updated_at: _u, created_by: _cb, updated_by: _ub, ...rest } = row;
  await db('certification_history').insert({ certification_id: id, ...rest, is_void: true, version, change: 'void', recorded_at: at, recorded_by: by });
}
