/**
 * The certification register (资质): all SQL over certifications, their history, compliance ticks,
 * reported changes and per-year settings.
 *
 * ─── THIS IS THE API THE REPORTS SLICE USES (targets, the annual report, exports; issue 10 items 4–7). ───
 * Keep the exported read functions stable; add, do not change. The figures they give:
 *
 *   countCertifications(db, metric, opts)   one number, or rows per park / town (opts.groupBy)
 *   certificationFirms(db, metric, opts)    the firms behind a figure (firm list sheets, exports)
 *   certificationRecordsAsOf(db, opts)      the register rows as they stood at an instant
 *   registerCorrections(db, since, asOf)    rows changed after a snapshot instant (a report says "corrected")
 *
 * Metrics (`CertMetric`), each for a calendar year (opts.year) unless said otherwise:
 *   hte_new        高企 newly certified: first-time certificates ISSUED in the year (a firm counts in the
 *                  year its certificate is issued, issue 10 item 1), whatever happened to them later
 *   hte_renewed    高企 re-certified (重新认定): 'renewal' certificates issued in the year
 *   hte_certified  hte_new + hte_renewed
 *   hte_valid      高企 valid on opts.date (default: 31 Dec of opts.year): issued on or before it, last valid
 *                  day on or after it (办法 第九条), not cancelled by then
 *   hte_expiring   高企 certificates whose last valid day falls in the year (期满当年, 指引 四、3)
 *   hte_cancelled  高企 cancelled (第十九条) with the cancellation dated in the year
 *   hte_applied    高企 applications of the year's batch (申报), hte_publicized 公示 (拟认定), hte_filed 备案
 *   tsme           科技型中小企业 registered (入库) for evaluation year = opts.year (2017 办法 第十一条; valid for
 *                  that year only), revoked ones excluded; tsme_revoked the revoked ones
 *   tsme_prov      省级科技型中小企业 of the year
 *   leading        科技领军企业 of the year, little_giant 科技小巨人, benchmark both
 *
 * Options common to all: `asOf` — an instant (ISO) or a date (YYYY-MM-DD = end of that Shanghai day):
 * the register is read as it stood then, from certification_history, so a report computed as of a
 * date is reproducible after a later correction; without it, the current register. `parkId`,
 * `townId`, `parkIds` (a scoped user's jurisdiction: firms in these parks or `townIds`) narrow by the
 * firm's current park and town.
 */
import type { Knex } from 'knex';
import type { Db } from '../../db/types.js';
import { shanghaiStartOfDay } from '../../lib/dates.js';
import { addDays } from '../../domain/eligibility/dates.js';

import { CERT_KINDS, type CertKind } from '../../domain/certifications.js';
import { isSqlite } from '../../db/dialect.js';
import { groupBy } from '../../lib/group-by.js';
import { prepareSearch } from '../firms/firm-filters.js';
export { CERT_KINDS, CERT_KIND_LABELS, type CertKind } from '../../domain/certifications.js';
/** pending: HTE steps before the certificate; active: registered / certified / designated. */
export const CERT_STATUSES = ['pending', 'active', 'failed', 'revoked'] as const;
export type CertStatus = (typeof CERT_STATUSES)[number];

export interface Certification {
  id: number;
  firmId: number;
  kind: CertKind;
  year: number;
  number: string | null;
  level: string | null;
  mode: 'first' | 'renewal' | null;
  appliedOn: string | null;
  publicizedOn: string | null;
  filedOn: string | null;
  issuedOn: string | null;
  validUntil: string | null;
  validUntilOverride: boolean;
  status: CertStatus;
  statusReasonCode: string | null;
  statusReason: string | null;
  statusOn: string | null;
  note: string | null;
  isVoid: boolean;
  version: number;
}

/** A register row with its firm, as lists and exports show it. */
export interface CertificationWithFirm extends Certification {
  uscc: string;
  firmName: string;
  foundedOn: string | null;
  stage: string;
  parkId: number | null;
  parkName: string | null;
  townId: number | null;
  townName: string | null;
  counsellorId: number | null;
  counsellorName: string | null;
  source?: string;
  updatedAt?: string;
}

export type CertMetric =
  | 'hte_new'
  | 'hte_renewed'
  | 'hte_certified'
  | 'hte_valid'
  | 'hte_expiring'
  | 'hte_cancelled'
  | 'hte_applied'
  | 'hte_publicized'
  | 'hte_filed'
  | 'tsme'
  | 'tsme_revoked'
  | 'tsme_prov'
  | 'leading'
  | 'little_giant'
  | 'benchmark';

export interface ScopeOptions {
  asOf?: string | null;
  parkId?: number | null;
  townId?: number | null;
  /** A limited user's jurisdiction (null/undefined: the whole county). */
  parkIds?: number[] | null;
  townIds?: number[];
}

export interface MetricOptions extends ScopeOptions {
  year: number;
  /** For hte_valid: the day of validity (default 31 December of `year`). */
  date?: string | null;
}

/** The columns a register row has, in the current table and in every history row alike. */
export const REGISTER_SNAPSHOT_COLUMNS = [
  'firm_id',
  'kind',
  'year',
  'number',
  'level',
  'mode',
  'applied_on',
  'publicized_on',
  'filed_on',
  'issued_on',
  'valid_until',
  'valid_until_override',
  'status',
  'status_reason_code',
  'status_reason',
  'status_on',
  'note',
  'is_void',
  'version',
] as const;

/** The inclusive instant a `asOf` means: an instant as given; a date, the last millisecond of that Shanghai day. */
export function asOfInstant(asOf: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(asOf)) return new Date(Date.parse(shanghaiStartOfDay(addDays(asOf, 1))) - 1).toISOString();
  const ms = Date.parse(asOf);
  if (Number.isNaN(ms)) throw new RangeError(`asOf is neither a date nor an instant: ${asOf}`);
  return new Date(ms).toISOString();
}

/**
 * The register as a table `c` (id = the certification's id): the current rows, or, with asOf, the
 * latest history row of each certification recorded at or before that instant.
 */
export function registerSource(db: Db, asOf?: string | null): Knex.QueryBuilder {
  if (!asOf) return db('certifications').select('id', ...REGISTER_SNAPSHOT_COLUMNS);
  const cutoff = asOfInstant(asOf);
  return db('certification_history as h')
    .select('h.certification_id as id', ...REGISTER_SNAPSHOT_COLUMNS.map((c) => `h.${c}`))
    .where(
      'h.id',
      db('certification_history as h2').max('h2.id').where('h2.certification_id', db.ref('h.certification_id')).andWhere('h2.recorded_at', '<=', cutoff),
    );
}

interface Row {
  id: number;
  firm_id: number;
  kind: CertKind;
  year: number;
  number: string | null;
  level: string | null;
  mode: 'first' | 'renewal' | null;
  applied_on: string | null;
  publicized_on: string | null;
  filed_on: string | null;
  issued_on: string | null;
  valid_until: string | null;
  valid_until_override: boolean | number;
  status: CertStatus;
  status_reason_code: string | null;
  status_reason: string | null;
  status_on: string | null;
  note: string | null;
  is_void: boolean | number;
  version: number;
}

interface RowWithFirm extends Row {
  uscc: string;
  firm_name: string;
  founded_on: string | null;
  stage: string;
  park_id: number | null;
  park_name: string | null;
  town_id: number | null;
  town_name: string | null;
  counsellor_id: number | null;
  counsellor_name: string | null;
  source?: string;
  updated_at?: string;
}

function toCert(r: Row): Certification {
  return {
    id: Number(r.id),
    firmId: r.firm_id,
    kind: r.kind,
    year: Number(r.year),
    number: r.number,
    level: r.level,
    mode: r.mode,
    appliedOn: r.applied_on,
    publicizedOn: r.publicized_on,
    filedOn: r.filed_on,
    issuedOn: r.issued_on,
    validUntil: r.valid_until,
    validUntilOverride: !!r.valid_until_override,
    status: r.status,
    statusReasonCode: r.status_reason_code,
    statusReason: r.status_reason,
    statusOn: r.status_on,
    note: r.note,
    isVoid: !!r.is_void,
    version: r.version,
  };
}

/** A history row's state as values to write back (a revert puts a row back as it was). */
function valuesOfRow(r: Row): CertificationValues {
  const { id: _id, version: _version, ...values } = toCert({ ...r, id: 0, version: 0 });
  return values;
}

function toCertWithFirm(r: RowWithFirm): CertificationWithFirm {
  return {
    ...toCert(r),
    uscc: r.uscc,
    firmName: r.firm_name,
    foundedOn: r.founded_on,
    stage: r.stage,
    parkId: r.park_id,
    parkName: r.park_name,
    townId: r.town_id,
    townName: r.town_name,
    counsellorId: r.counsellor_id,
    counsellorName: r.counsellor_name,
    ...(r.source !== undefined ? { source: r.source } : {}),
    ...(r.updated_at !== undefined ? { updatedAt: r.updated_at } : {}),
  };
}

/** The register (as of asOf) joined with firms, parks, towns, counsellors, narrowed by scope. */
function withFirms(db: Db, opts: ScopeOptions): Knex.QueryBuilder {
  const qb = db
    .from(registerSource(db, opts.asOf).as('c'))
    .join('firms as f', 'f.id', 'c.firm_id')
    .leftJoin('parks as p', 'p.id', 'f.park_id')
    .leftJoin('towns as t', 't.id', 'f.town_id')
    .leftJoin('users as u', 'u.id', 'f.counsellor_id')
    .where('c.is_void', false);
  if (opts.parkId) qb.andWhere('f.park_id', opts.parkId);
  if (opts.townId) qb.andWhere('f.town_id', opts.townId);
  if (opts.parkIds) {
    const parks = opts.parkIds;
    const towns = opts.townIds ?? [];
    qb.andWhere((w) => {
      w.whereIn('f.park_id', parks.length ? parks : [-1]);
      if (towns.length) w.orWhereIn('f.town_id', towns);
    });
  }
  return qb;
}

const FIRM_COLUMNS = [
  'f.uscc',
  'f.name as firm_name',
  'f.founded_on',
  'f.stage',
  'f.park_id',
  'p.name as park_name',
  'f.town_id',
  't.name as town_name',
  'f.counsellor_id',
  'u.display_name as counsellor_name',
];

const yearRange = (year: number) => [`${year}-01-01`, `${year}-12-31`] as const;

/** The WHERE of a metric on the joined register `c`. */
function applyMetric(qb: Knex.QueryBuilder, metric: CertMetric, opts: MetricOptions): Knex.QueryBuilder {
  const [from, to] = yearRange(opts.year);
  switch (metric) {
    case 'hte_new':
    case 'hte_renewed':
    case 'hte_certified':
      qb.andWhere('c.kind', 'hte').whereNotNull('c.issued_on').whereBetween('c.issued_on', [from, to]);
      if (metric === 'hte_new') qb.andWhere('c.mode', 'first');
      if (metric === 'hte_renewed') qb.andWhere('c.mode', 'renewal');
      return qb;
    case 'hte_valid': {
      const on = opts.date ?? to;
      // 办法 第九条: valid from the issue date through the last valid day; cancelled from status_on.
      return qb
        .andWhere('c.kind', 'hte')
        .whereIn('c.status', ['active', 'revoked'])
        .andWhere('c.issued_on', '<=', on)
        .andWhere('c.valid_until', '>=', on)
        .andWhere((w) => w.where('c.status', 'active').orWhere('c.status_on', '>', on));
    }
    case 'hte_expiring':
      return qb.andWhere('c.kind', 'hte').where('c.status', 'active').whereBetween('c.valid_until', [from, to]);
    case 'hte_cancelled':
      return qb.andWhere('c.kind', 'hte').where('c.status', 'revoked').whereBetween('c.status_on', [from, to]);
    case 'hte_applied':
      return qb.andWhere('c.kind', 'hte').andWhere('c.year', opts.year);
    case 'hte_publicized':
      return qb.andWhere('c.kind', 'hte').andWhere('c.year', opts.year).whereNotNull('c.publicized_on');
    case 'hte_filed':
      return qb.andWhere('c.kind', 'hte').andWhere('c.year', opts.year).whereNotNull('c.filed_on');
    case 'tsme':
      return qb.andWhere('c.kind', 'tsme').andWhere('c.year', opts.year).andWhere('c.status', 'active');
    case 'tsme_revoked':
      return qb.andWhere('c.kind', 'tsme').andWhere('c.year', opts.year).andWhere('c.status', 'revoked');
    case 'tsme_prov':
    case 'leading':
    case 'little_giant':
      return qb.andWhere('c.kind', metric).andWhere('c.year', opts.year).andWhere('c.status', 'active');
    case 'benchmark':
      return qb.whereIn('c.kind', ['leading', 'little_giant']).andWhere('c.year', opts.year).andWhere('c.status', 'active');
  }
}

export interface CountRow {
  /** park or town id, or a field's code; null: none (未落园区 / 未填属地 / 未填技术领域). */
  key: number | string | null;
  label: string | null;
  n: number;
}

/**
 * How many firms a metric counts (distinct firms: a firm with two rows, say leading and little giant
 * under 'benchmark', counts once). groupBy gives one row per park or town, largest first.
 */
export async function countCertifications(db: Db, metric: CertMetric, opts: MetricOptions): Promise<number>;
export async function countCertifications(db: Db, metric: CertMetric, opts: MetricOptions & { groupBy: 'park' | 'town' | 'field' }): Promise<CountRow[]>;
export async function countCertifications(db: Db, metric: CertMetric, opts: MetricOptions & { groupBy?: 'park' | 'town' | 'field' }): Promise<number | CountRow[]> {
  const qb = applyMetric(withFirms(db, opts), metric, opts);
  if (!opts.groupBy) {
    const row = (await qb.countDistinct({ n: 'c.firm_id' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }
  // By field, the key is the field's code and its label is the caller's (domain/fields.ts).
  const [idCol, nameCol] = opts.groupBy === 'park' ? ['f.park_id', 'p.name'] : opts.groupBy === 'town' ? ['f.town_id', 't.name'] : ['f.field', 'f.field'];
  const rows = (await qb
    .select({ key: idCol, label: nameCol })
    .countDistinct({ n: 'c.firm_id' })
    .groupBy(idCol, nameCol)
    .orderBy([{ column: 'n', order: 'desc' }, { column: 'label' }])) as { key: number | string | null; label: string | null; n: number | string }[];
  return rows.map((r) => ({ key: r.key, label: r.label, n: Number(r.n) }));
}

/**
 * How many firms a metric counts, by the date of each firm's earliest row (null: none dated) —
 * monthly cumulative curves without reading the rows (distinct firms, as countCertifications).
 */
export async function certificationFirmsByFirstDate(db: Db, metric: CertMetric, opts: MetricOptions): Promise<{ on: string | null; n: number }[]> {
  const perFirm = applyMetric(withFirms(db, opts), metric, opts).select('c.firm_id').min({ first_on: 'c.issued_on' }).groupBy('c.firm_id');
  const rows = (await db.from(perFirm.as('x')).select('x.first_on').count({ n: '*' }).groupBy('x.first_on')) as { first_on: string | null; n: number | string }[];
  return rows.map((r) => ({ on: r.first_on, n: Number(r.n) }));
}

/** The distinct firms behind a metric (ids only: sums over their figures need no more). */
export async function certificationFirmIds(db: Db, metric: CertMetric, opts: MetricOptions): Promise<number[]> {
  const rows = (await applyMetric(withFirms(db, opts), metric, opts).distinct('c.firm_id')) as { firm_id: number }[];
  return rows.map((r) => Number(r.firm_id));
}

/** The rows behind a metric, with their firms (newest issue date first, then name). */
export async function certificationFirms(db: Db, metric: CertMetric, opts: MetricOptions & { limit?: number }): Promise<CertificationWithFirm[]> {
  const qb = applyMetric(withFirms(db, opts), metric, opts)
    .select('c.*', ...FIRM_COLUMNS)
    .orderBy([{ column: 'c.issued_on', order: 'desc' }, { column: 'f.name' }, { column: 'c.id' }]);
  if (opts.limit) qb.limit(opts.limit);
  return ((await qb) as RowWithFirm[]).map(toCertWithFirm);
}

export interface RegisterFilters extends ScopeOptions {
  kind?: CertKind | null;
  year?: number | null;
  status?: CertStatus | null;
  /** Part of a firm name, a credit-code prefix or the start of a certificate number. */
  q?: string | null;
  counsellorId?: number | null;
  limit?: number;
  /** Keyset paging (register order: year newest first, then kind, then registration order). */
  after?: RegisterCursor | null;
  before?: RegisterCursor | null;
}

/** A register row's place in the register order: the page starts after (or ends before) it. */
export interface RegisterCursor {
  year: number;
  kind: string;
  id: number;
}

/** Beyond this many rows the register says "超过 …" rather than count every row of a million firms. */
export const REGISTER_COUNT_CAP = 1_000;

/** What a register search matched, resolved once per request: the firm search's firms and the rows whose number starts so. */
interface RegisterSearch {
  firmIds: number[];
  certificationIds: number[];
}

/** Both sets are bounded (the firm search's cap, REGISTER_COUNT_CAP numbers), so the page's query is too. */
async function resolveRegisterSearch(db: Db, q: string): Promise<RegisterSearch> {
  const firmIds = (await prepareSearch(db, { q })).matchIds ?? [];
  const number = q.trim().toUpperCase();
  if (!/^[0-9A-Z]{2,40}$/.test(number)) return { firmIds, certificationIds: [] };
  const byNumber = db('certifications as c').select('c.id').limit(REGISTER_COUNT_CAP + 1);
  // A range on SQLite (its LIKE ignores case, so it would not use the (kind, number) index); LIKE on PostgreSQL.
  if (isSqlite(db)) byNumber.whereIn('c.kind', CERT_KINDS).andWhere('c.number', '>=', number).andWhere('c.number', '<', `${number}\uffff`);
  else byNumber.where('c.number', 'like', `${number}%`);
  return { firmIds, certificationIds: ((await byNumber) as { id: number }[]).map((r) => Number(r.id)) };
}

function applyRegisterFilters(qb: Knex.QueryBuilder, f: RegisterFilters, search: RegisterSearch | null): Knex.QueryBuilder {
  if (f.kind) qb.andWhere('c.kind', f.kind);
  if (f.year) qb.andWhere('c.year', f.year);
  if (f.status) qb.andWhere('c.status', f.status);
  if (f.counsellorId) qb.andWhere('f.counsellor_id', f.counsellorId);
  if (search) {
    qb.andWhere((w) => {
      w.whereIn('c.firm_id', search.firmIds.length ? search.firmIds : [-1]);
      if (search.certificationIds.length) w.orWhereIn('c.id', search.certificationIds);
    });
  }
  return qb;
}

/** Rows after (or before) a cursor in register order: year descending, kind, id. */
function applyCursor(qb: Knex.QueryBuilder, cursor: RegisterCursor, dir: 'after' | 'before'): void {
  const { year, kind, id } = cursor;
  if (dir === 'after') {
    qb.andWhere('c.year', '<=', year).andWhere((w) => w.where('c.year', '<', year).orWhere('c.kind', '>', kind).orWhere((k) => k.where('c.kind', kind).andWhere('c.id', '>', id)));
  } else {
    qb.andWhere('c.year', '>=', year).andWhere((w) => w.where('c.year', '>', year).orWhere('c.kind', '<', kind).orWhere((k) => k.where('c.kind', kind).andWhere('c.id', '<', id)));
  }
}

const REGISTER_ORDER = [{ column: 'c.year', order: 'desc' }, { column: 'c.kind' }, { column: 'c.id' }] as const;
const REVERSED_ORDER = [{ column: 'c.year' }, { column: 'c.kind', order: 'desc' }, { column: 'c.id', order: 'desc' }] as const;

/**
 * The register page and its export: rows matching the filters (as of asOf when given), in register
 * order. With a limit, one keyset page (`more`: rows remain beyond it, in the direction read) and a
 * total counted up to REGISTER_COUNT_CAP — bounded work at any size of the register.
 */
export async function listRegister(db: Db, f: RegisterFilters): Promise<{ rows: CertificationWithFirm[]; total: number; capped: boolean; more: boolean }> {
  const search = f.q ? await resolveRegisterSearch(db, f.q) : null;
  const base = () => applyRegisterFilters(withFirms(db, f), f, search);
  const qb = base().select('c.*', ...FIRM_COLUMNS);
  const backwards = !!f.before && !f.after;
  if (f.after) applyCursor(qb, f.after, 'after');
  else if (f.before) applyCursor(qb, f.before, 'before');
  qb.orderBy(backwards ? [...REVERSED_ORDER] : [...REGISTER_ORDER]);
  if (f.limit) qb.limit(f.limit + 1);
  const read = ((await qb) as RowWithFirm[]).map(toCertWithFirm);
  const more = !!f.limit && read.length > f.limit;
  const rows = more ? read.slice(0, f.limit) : read;
  if (backwards) rows.reverse();
  if (!f.limit) return { rows, total: rows.length, capped: false, more: false };
  const counted = base().clearSelect().select(db.raw('1 as one')).limit(REGISTER_COUNT_CAP + 1);
  const n = Number(((await db.from(counted.as('x')).count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);
  return { rows, total: Math.min(n, REGISTER_COUNT_CAP), capped: n > REGISTER_COUNT_CAP, more };
}

/** The register rows as they stood at an instant (or a date's end), with their firms. */
export async function certificationRecordsAsOf(db: Db, opts: RegisterFilters & { asOf: string }): Promise<CertificationWithFirm[]> {
  return (await listRegister(db, opts)).rows;
}

/**
 * Rows whose recorded state changed after `since` and up to `asOf` (default now): what a frozen
 * report does not include. Each with the change kinds recorded in between.
 */
export async function registerCorrections(db: Db, since: string, asOf?: string | null): Promise<{ certificationId: number; changes: string[]; lastAt: string }[]> {
  const qb = db('certification_history').where('recorded_at', '>', asOfInstant(since)).select('certification_id', 'change', 'recorded_at').orderBy('id');
  if (asOf) qb.andWhere('recorded_at', '<=', asOfInstant(asOf));
  const rows = (await qb) as { certification_id: number; change: string; recorded_at: string }[];
  const out = new Map<number, { certificationId: number; changes: string[]; lastAt: string }>();
  for (const r of rows) {
    const e = out.get(r.certification_id) ?? { certificationId: r.certification_id, changes: [], lastAt: r.recorded_at };
    e.changes.push(r.change);
    e.lastAt = r.recorded_at;
    out.set(r.certification_id, e);
  }
  return [...out.values()];
}

// ─── One firm, one row ────────────────────────────────────────────────────────────────────────────

export async function certificationsOfFirm(db: Db, firmId: number, asOf?: string | null): Promise<Certification[]> {
  const rows = (await db
    .from(registerSource(db, asOf).as('c'))
    .where('c.firm_id', firmId)
    .andWhere('c.is_void', false)
    .select('c.*')
    .orderBy([{ column: 'c.year', order: 'desc' }, { column: 'c.kind' }, { column: 'c.id', order: 'desc' }])) as Row[];
  return rows.map(toCert);
}

export async function findCertification(db: Db, id: number): Promise<CertificationWithFirm | null> {
  const row = (await withFirms(db, {}).andWhere('c.id', id).select('c.*', ...FIRM_COLUMNS).first()) as RowWithFirm | undefined;
  return row ? toCertWithFirm(row) : null;
}

/** The live row holding a number of a kind (certificate, 入库登记编号), if any. */
export async function findByNumber(db: Db, kind: CertKind, number: string): Promise<Certification | null> {
  const row = (await db('certifications').where({ kind, number }).andWhere('is_void', false).first()) as Row | undefined;
  return row ? toCert(row) : null;
}

/** A firm's live row of a kind and year. */
export async function findFirmYear(db: Db, firmId: number, kind: CertKind, year: number): Promise<Certification | null> {
  const row = (await db('certifications').where({ firm_id: firmId, kind, year }).andWhere('is_void', false).first()) as Row | undefined;
  return row ? toCert(row) : null;
}

/** A firm's HTE application in progress (no certificate yet, not failed), latest batch first. */
export async function openHteApplication(db: Db, firmId: number): Promise<Certification | null> {
  const row = (await db('certifications')
    .where({ firm_id: firmId, kind: 'hte', status: 'pending' })
    .andWhere('is_void', false)
    .orderBy('year', 'desc')
    .first()) as Row | undefined;
  return row ? toCert(row) : null;
}

/** The latest issued HTE certificate of each firm (for the eligibility facts and the board). */
export async function latestHteCertificates(db: Db, firmIds: number[]): Promise<Map<number, Certification>> {
  const out = new Map<number, Certification>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('certifications')
      .whereIn('firm_id', firmIds.slice(i, i + 500))
      .andWhere({ kind: 'hte' })
      .whereIn('status', ['active', 'revoked'])
      .whereNotNull('issued_on')
      .andWhere('is_void', false)
      .orderBy([{ column: 'firm_id' }, { column: 'issued_on' }])) as Row[];
    for (const r of rows) out.set(r.firm_id, toCert(r));
  }
  return out;
}

// ─── Writes: every write of a row appends its state to certification_history ───────────────────────

export type CertificationValues = Omit<Certification, 'id' | 'version' | 'isVoid'> & { isVoid?: boolean };

function rowOf(v: CertificationValues): Record<string, unknown> {
  return {
    firm_id: v.firmId,
    kind: v.kind,
    year: v.year,
    number: v.number,
    level: v.level,
    mode: v.mode,
    applied_on: v.appliedOn,
    publicized_on: v.publicizedOn,
    filed_on: v.filedOn,
    issued_on: v.issuedOn,
    valid_until: v.validUntil,
    valid_until_override: v.validUntilOverride,
    status: v.status,
    status_reason_code: v.statusReasonCode,
    status_reason: v.statusReason,
    status_on: v.statusOn,
    note: v.note,
    is_void: v.isVoid ?? false,
  };
}

async function appendHistory(db: Db, id: number, change: string, at: string, by: number | null, importBatchId: number | null): Promise<void> {
  const row = (await db('certifications').where({ id }).select(...REGISTER_SNAPSHOT_COLUMNS).first()) as Record<string, unknown>;
  await db('certification_history').insert({ certification_id: id, ...row, change, recorded_at: at, recorded_by: by, import_batch_id: importBatchId });
}

export async function insertCertification(db: Db, v: CertificationValues, meta: { source: string; importBatchId?: number | null; at: string; by: number | null }): Promise<number> {
  const [raw] = (await db('certifications')
    .insert({ ...rowOf(v), version: 1, source: meta.source, import_batch_id: meta.importBatchId ?? null, created_at: meta.at, updated_at: meta.at, created_by: meta.by, updated_by: meta.by })
    .returning('id')) as ({ id: number } | number)[];
  const id = typeof raw === 'object' ? raw!.id : raw!;
  await appendHistory(db, id, 'create', meta.at, meta.by, meta.importBatchId ?? null);
  return id;
}

/** Optimistic update: false when the row is no longer at `version`. */
export async function updateCertification(
  db: Db,
  id: number,
  version: number,
  v: CertificationValues,
  meta: { change: 'update' | 'correct' | 'cancel' | 'void' | 'certify' | 'revert'; at: string; by: number | null; importBatchId?: number | null },
): Promise<boolean> {
  const n = await db('certifications')
    .where({ id, version })
    .update({ ...rowOf(v), version: version + 1, updated_at: meta.at, updated_by: meta.by });
  if (n !== 1) return false;
  await appendHistory(db, id, meta.change, meta.at, meta.by, meta.importBatchId ?? null);
  return true;
}

/** One register row an import batch wrote, with what a revert of the batch needs to undo it. */
export interface BatchWrite {
  certificationId: number;
  firmId: number;
  uscc: string;
  firmName: string;
  kind: CertKind;
  year: number;
  /** The batch created the row (a revert voids it), else it completed an existing one. */
  created: boolean;
  /** The row as it stood before the batch wrote it (null when the batch created it). */
  before: CertificationValues | null;
  /** Someone wrote the row again after the batch (a revert must not overwrite that). */
  changedSince: boolean;
  /** The row now (its version, for the optimistic write). */
  current: Certification;
}

/** The register rows an import batch wrote (certification_history.import_batch_id), oldest first. */
export async function writesOfBatch(db: Db, batchId: number): Promise<BatchWrite[]> {
  const mine = (await db('certification_history').where({ import_batch_id: batchId }).orderBy('id').select('id', 'certification_id', 'change')) as { id: number | string; certification_id: number; change: string }[];
  if (mine.length === 0) return [];
  const ids = [...new Set(mine.map((h) => h.certification_id))];
  const out: BatchWrite[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const current = new Map(
      ((await db('certifications as c').join('firms as f', 'f.id', 'c.firm_id').whereIn('c.id', chunk).select('c.*', 'f.uscc', 'f.name as firm_name')) as (Row & { uscc: string; firm_name: string })[]).map((r) => [r.id, r]),
    );
    const history = (await db('certification_history').whereIn('certification_id', chunk).orderBy('id').select('id', 'certification_id', 'import_batch_id', ...REGISTER_SNAPSHOT_COLUMNS.filter((c) => c !== 'version'))) as (Row & { certification_id: number; import_batch_id: number | null })[];
    const historyOf = groupBy(history, (h) => h.certification_id);
    for (const certId of chunk) {
      const rows = historyOf.get(certId) ?? [];
      const first = rows.findIndex((h) => h.import_batch_id === batchId);
      const last = rows.length - 1 - [...rows].reverse().findIndex((h) => h.import_batch_id === batchId);
      const cur = current.get(certId)!;
      const prior = first > 0 ? rows[first - 1]! : null;
      out.push({
        certificationId: certId,
        firmId: cur.firm_id,
        uscc: cur.uscc,
        firmName: cur.firm_name,
        kind: cur.kind,
        year: cur.year,
        created: first === 0,
        before: prior ? valuesOfRow(prior) : null,
        changedSince: last < rows.length - 1,
        current: toCert(cur),
      });
    }
  }
  return out;
}

// ─── Compliance ticks// ─── Compliance ticks and reported changes ─────────────────────────────────────────────────────────

export type TickKind = 'hte_annual_report' | 'tsme_info_update';

export interface Tick {
  id: number;
  certificationId: number;
  kind: TickKind;
  dataYear: number;
  reportedOn: string | null;
  note: string | null;
  recordedAt: string;
  recordedBy: number | null;
}

/** Live ticks of these certifications (as of asOf: recorded by then and not yet removed). */
export async function ticksOf(db: Db, certificationIds: number[], asOf?: string | null): Promise<Tick[]> {
  const out: Tick[] = [];
  for (let i = 0; i < certificationIds.length; i += 500) {
    const qb = db('compliance_ticks').whereIn('certification_id', certificationIds.slice(i, i + 500));
    if (asOf) {
      const cutoff = asOfInstant(asOf);
      qb.andWhere('recorded_at', '<=', cutoff).andWhere((w) => w.whereNull('removed_at').orWhere('removed_at', '>', cutoff));
    } else qb.whereNull('removed_at');
    const rows = (await qb) as { id: number; certification_id: number; kind: TickKind; data_year: number; reported_on: string | null; note: string | null; recorded_at: string; recorded_by: number | null }[];
    out.push(
      ...rows.map((r) => ({ id: r.id, certificationId: r.certification_id, kind: r.kind, dataYear: r.data_year, reportedOn: r.reported_on, note: r.note, recordedAt: r.recorded_at, recordedBy: r.recorded_by })),
    );
  }
  return out;
}

export async function insertTick(db: Db, t: { certificationId: number; kind: TickKind; dataYear: number; reportedOn: string | null; note: string | null }, at: string, by: number): Promise<void> {
  await db('compliance_ticks').insert({ certification_id: t.certificationId, kind: t.kind, data_year: t.dataYear, reported_on: t.reportedOn, note: t.note, recorded_at: at, recorded_by: by });
}

export async function removeTick(db: Db, certificationId: number, kind: TickKind, dataYear: number, at: string, by: number): Promise<number> {
  return db('compliance_ticks').where({ certification_id: certificationId, kind, data_year: dataYear }).whereNull('removed_at').update({ removed_at: at, removed_by: by });
}

export interface ReportedChange {
  id: number;
  firmId: number;
  kind: 'rename' | 'major';
  eventOn: string;
  dueOn: string;
  description: string | null;
  reportedOn: string | null;
  version: number;
  recordedAt: string;
}

export async function changesOf(db: Db, firmIds: number[] | null, asOf?: string | null): Promise<ReportedChange[]> {
  const query = (ids: number[] | null) => {
    const qb = db('certification_changes').orderBy([{ column: 'event_on' }, { column: 'id' }]);
    if (ids) qb.whereIn('firm_id', ids.length ? ids : [-1]);
    if (asOf) {
      const cutoff = asOfInstant(asOf);
      qb.andWhere('recorded_at', '<=', cutoff).andWhere((w) => w.whereNull('removed_at').orWhere('removed_at', '>', cutoff));
    } else qb.whereNull('removed_at');
    return qb as Promise<{ id: number; firm_id: number; kind: 'rename' | 'major'; event_on: string; due_on: string; description: string | null; reported_on: string | null; version: number; recorded_at: string }[]>;
  };
  // A bound parameter per firm: SQLite takes at most 32,766 of them in a statement, so many firms
  // (the annual report's certified firms at 1M) are asked for in chunks, merged back in date order.
  const rows = [];
  if (!firmIds || firmIds.length <= 500) rows.push(...(await query(firmIds)));
  else {
    for (let i = 0; i < firmIds.length; i += 500) rows.push(...(await query(firmIds.slice(i, i + 500))));
    rows.sort((a, b) => (a.event_on < b.event_on ? -1 : a.event_on > b.event_on ? 1 : a.id - b.id));
  }
  return rows.map((r) => ({ id: r.id, firmId: r.firm_id, kind: r.kind, eventOn: r.event_on, dueOn: r.due_on, description: r.description, reportedOn: r.reported_on, version: r.version, recordedAt: r.recorded_at }));
}

export async function insertChange(db: Db, c: { firmId: number; kind: 'rename' | 'major'; eventOn: string; dueOn: string; description: string | null; reportedOn: string | null }, at: string, by: number): Promise<number> {
  const [raw] = (await db('certification_changes')
    .insert({ firm_id: c.firmId, kind: c.kind, event_on: c.eventOn, due_on: c.dueOn, description: c.description, reported_on: c.reportedOn, version: 1, recorded_at: at, recorded_by: by, updated_at: at })
    .returning('id')) as ({ id: number } | number)[];
  return typeof raw === 'object' ? raw!.id : raw!;
}

export async function markChangeReported(db: Db, id: number, reportedOn: string | null, at: string): Promise<number> {
  return db('certification_changes').where({ id }).whereNull('removed_at').update({ reported_on: reportedOn, updated_at: at, version: db.raw('version + 1') });
}

// ─── Per-year settings ─────────────────────────────────────────────────────────────────────────────

export interface YearSettings {
  year: number;
  provincialAgency: string | null;
  hteReportDueOn: string | null;
  tsmeInfoDueOn: string | null;
  version: number;
}

export async function yearSettings(db: Db): Promise<Map<number, YearSettings>> {
  const rows = (await db('certification_year_settings').orderBy('year')) as { year: number; provincial_agency: string | null; hte_report_due_on: string | null; tsme_info_due_on: string | null; version: number }[];
  return new Map(rows.map((r) => [r.year, { year: r.year, provincialAgency: r.provincial_agency, hteReportDueOn: r.hte_report_due_on, tsmeInfoDueOn: r.tsme_info_due_on, version: r.version }]));
}

export async function saveYearSettings(db: Db, s: Omit<YearSettings, 'version'>, version: number | null, at: string, by: number): Promise<boolean> {
  const values = { provincial_agency: s.provincialAgency, hte_report_due_on: s.hteReportDueOn, tsme_info_due_on: s.tsmeInfoDueOn, updated_at: at, updated_by: by };
  if (version === null) {
    const existing = await db('certification_year_settings').where({ year: s.year }).first();
    if (existing) return false;
    await db('certification_year_settings').insert({ year: s.year, ...values, version: 1 });
    return true;
  }
  return (await db('certification_year_settings').where({ year: s.year, version }).update({ ...values, version: version + 1 })) === 1;
}

// ─── The compliance calendar's inputs ──────────────────────────────────────────────────────────────

/** Certified HTE and registered tech-SME rows that can still have duties on or after `from` (with firms). */
export async function rowsWithDuties(db: Db, opts: ScopeOptions & { from: string; counsellorId?: number | null }): Promise<CertificationWithFirm[]> {
  const fromYear = Number(opts.from.slice(0, 4));
  const qb = withFirms(db, opts)
    .andWhere((w) =>
      w
        .where((h) => h.where('c.kind', 'hte').whereIn('c.status', ['active', 'revoked']).andWhere('c.valid_until', '>=', `${fromYear - 1}-01-01`))
        .orWhere((t) => t.where('c.kind', 'tsme').andWhere('c.year', '>=', fromYear - 1)),
    )
    .select('c.*', ...FIRM_COLUMNS)
    .orderBy([{ column: 'f.name' }, { column: 'c.id' }]);
  if (opts.counsellorId) qb.andWhere('f.counsellor_id', opts.counsellorId);
  return ((await qb) as RowWithFirm[]).map(toCertWithFirm);
}

// ─── Follow-ups the register created (coaching slice's follow_ups) ─────────────────────────────────

/**
 * HTE certificates in their expiry year (last valid day in `year`) with no follow-up of that kind
 * yet, no later certificate and no pending application of the firm, at firms still certified.
 */
export async function expiryYearWithoutFollowUp(db: Db, year: number): Promise<CertificationWithFirm[]> {
  const rows = (await withFirms(db, {})
    .andWhere('c.kind', 'hte')
    .andWhere('c.status', 'active')
    .whereBetween('c.valid_until', [`${year}-01-01`, `${year}-12-31`])
    .whereIn('f.stage', ['hte_certified', 'benchmark'])
    .whereNotExists(db('certification_follow_ups as x').whereRaw('x.certification_id = c.id').andWhere('x.kind', 'expiry_year'))
    .whereNotExists(
      db('certifications as o')
        .whereRaw('o.firm_id = c.firm_id')
        .andWhere('o.kind', 'hte')
        .andWhere('o.is_void', false)
        .whereRaw('o.id <> c.id')
        .andWhere((w) => w.where('o.status', 'pending').orWhereRaw('o.issued_on > c.issued_on')),
    )
    .select('c.*', ...FIRM_COLUMNS)
    .orderBy('c.id')) as RowWithFirm[];
  return rows.map(toCertWithFirm);
}

export async function linkFollowUp(db: Db, certificationId: number, kind: string, followUpId: number, at: string): Promise<void> {
  await db('certification_follow_ups').insert({ certification_id: certificationId, kind, follow_up_id: followUpId, created_at: at });
}

export async function followUpOf(db: Db, certificationIds: number[], kind = 'expiry_year'): Promise<Map<number, number>> {
  if (!certificationIds.length) return new Map();
  const rows = (await db('certification_follow_ups').whereIn('certification_id', certificationIds).andWhere({ kind })) as { certification_id: number; follow_up_id: number }[];
  return new Map(rows.map((r) => [r.certification_id, r.follow_up_id]));
}

// ─── Consistency hints (issue 12 item 7): firms whose register contradicts their stage ───────────
//
// Each gives the ids of firms (`f`, narrowed by the caller's `narrow`: filters and jurisdiction) after
// `afterId`, in id order, at most `limit`: a keyset page per rule, read from the firms' (stage, id)
// index with the certifications' (firm_id, kind, year) index per firm, never a pass over every firm. The rule
// itself is src/domain/consistency.ts, which the page applies to the rows these ids bring back.

export type NarrowFirms = (qb: Knex.QueryBuilder) => void;

/**
 * The first `limit` ids after `afterId` of the firms in `stages` that `rule` keeps. One query per
 * stage, so each reads the (stage, id) index in id order and stops at its limit (an IN over the
 * stages would read every firm of them and sort); the pages are merged here.
 */
async function idPage(db: Db, stages: readonly string[], narrow: NarrowFirms, afterId: number | null, limit: number, rule: (qb: Knex.QueryBuilder) => void): Promise<number[]> {
  const pages = await Promise.all(
    stages.map(async (stage) => {
      const qb = db('firms as f').select('f.id').where('f.stage', stage).orderBy('f.id').limit(limit);
      if (afterId !== null) qb.where('f.id', '>', afterId);
      narrow(qb);
      rule(qb);
      return ((await qb) as { id: number }[]).map((r) => Number(r.id));
    }),
  );
  return pages.flat().sort((a, b) => a - b).slice(0, limit);
}

/** Firms in `stages` with an active 入库登记 of evaluation year `year` (2017 办法 第十一条). */
export async function firmIdsWithTsmeOfYear(db: Db, year: number, stages: readonly string[], narrow: NarrowFirms, afterId: number | null, limit: number): Promise<number[]> {
  return idPage(db, stages, narrow, afterId, limit, (qb) =>
    qb.whereExists((e) => e.select(db.raw('1')).from('certifications as c').whereRaw('c.firm_id = f.id').andWhere({ 'c.kind': 'tsme', 'c.year': year, 'c.status': 'active', 'c.is_void': false })),
  );
}

/** Firms in `stages` with no active 入库登记 of year `fromYear` or later. */
export async function firmIdsWithoutTsmeSince(db: Db, fromYear: number, stages: readonly string[], narrow: NarrowFirms, afterId: number | null, limit: number): Promise<number[]> {
  return idPage(db, stages, narrow, afterId, limit, (qb) =>
    qb.whereNotExists((e) =>
      e.select(db.raw('1')).from('certifications as c').whereRaw('c.firm_id = f.id').andWhere({ 'c.kind': 'tsme', 'c.status': 'active', 'c.is_void': false }).andWhere('c.year', '>=', fromYear),
    ),
  );
}

/** The WHERE of an HTE certificate valid on `on` (办法 第九条: from the certificate through its last valid day). */
function validHte(db: Db, on: string) {
  return (e: Knex.QueryBuilder) =>
    e.select(db.raw('1')).from('certifications as c').whereRaw('c.firm_id = f.id')
      .andWhere({ 'c.kind': 'hte', 'c.status': 'active', 'c.is_void': false })
      .andWhere('c.issued_on', '<=', on).andWhere('c.valid_until', '>=', on);
}

/** Firms in `stages` holding an HTE certificate valid on `on`. */
export async function firmIdsWithValidHte(db: Db, on: string, stages: readonly string[], narrow: NarrowFirms, afterId: number | null, limit: number): Promise<number[]> {
  return idPage(db, stages, narrow, afterId, limit, (qb) => qb.whereExists(validHte(db, on)));
}

/** Firms in `stages` holding no HTE certificate valid on `on`. */
export async function firmIdsWithoutValidHte(db: Db, on: string, stages: readonly string[], narrow: NarrowFirms, afterId: number | null, limit: number): Promise<number[]> {
  return idPage(db, stages, narrow, afterId, limit, (qb) => qb.whereNotExists(validHte(db, on)));
}

/** The register rows (not voided) of several firms, by firm. */
export async function certificationsOfFirms(db: Db, firmIds: number[]): Promise<Map<number, Certification[]>> {
  const out = new Map<number, Certification[]>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('certifications').whereIn('firm_id', firmIds.slice(i, i + 500)).andWhere('is_void', false)) as Row[];
    for (const r of rows) out.set(r.firm_id, [...(out.get(r.firm_id) ?? []), toCert(r)]);
  }
  return out;
}
