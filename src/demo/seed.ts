/**
 * Deterministic demo data: the Yuyao parks, one user per role, firms in every stage with three
 * years of figures and stage histories spread over several years. Same seed → same data.
 * Loaded into an empty database only; `--firms N` makes large sets for benchmarks.
 */
import type { Knex } from 'knex';
import { analyze, isSqlite, resetIdSequence } from '../db/dialect.js';
import { normalizeFirmName } from '../domain/firm-name.js';
import { type LifecycleKey, type TechFieldKey } from '../domain/fields.js';
import { LIST_KINDS, type ListKindKey } from '../domain/list-kinds.js';
import { EXIT_REASONS, STAGES, type StageKey } from '../domain/stages.js';
import { type SectorCode, scaleClassOf } from '../domain/scale.js';
import { hashPassword } from '../features/accounts/passwords.js';
import { type BulkLoader, withBulkLoad } from '../db/bulk-load.js';
import { rebuildCounters } from '../db/counters.js';
import { bigramsSql } from '../db/name-bigrams.js';
import { bumpDataGeneration } from '../lib/cache.js';
import { nowIso, shanghaiDate, todayInShanghai } from '../lib/dates.js';
import { Random } from './random.js';
import { seedRegisters } from './certifications-seed.js';
import { ensureExpiryFollowUps } from '../features/certifications/certifications.service.js';
import { seedCoachingDemo } from './coaching.js';
import { seedEventsAndDemands } from './events-demands.js';
import { type VerdictInput, VerdictPool } from './verdicts.js';
import { refreshOverlapSnapshot } from '../features/lists/overlap-snapshot.queries.js';
import { DEMO_PARKS, DEMO_USERS, FIELD_WEIGHTS, PARK_WEIGHTS, creditCode, demoTownCode, firmName } from './yuyao.js';
import { seedDemoTargets } from './targets.js';

export interface SeedOptions {
  firms?: number;
  seed?: number;
  /** Histories end here (Shanghai date); fixed so the data does not depend on the day it is loaded. */
  anchor?: string;
  /** Hash of the demo password, when the caller has one already (tests: hashing is slow on purpose). */
  passwordHash?: string;
  onProgress?: (done: number, total: number) => void;
  /** After the rows: 'indexes', 'aggregates', 'certifications', … 'statistics'. */
  onPhase?: (phase: string) => void;
}

export interface SeedSummary {
  parks: number;
  users: number;
  firms: number;
  stageEvents: number;
  annualFigures: number;
  certifications?: number;
}

export const DEFAULT_DEMO_FIRMS = 1200;
/** Every demo user's password; listed in the README. Demo data only. */
export const DEMO_PASSWORD = 'miaopu-demo';
const DAY = 86400_000;

const STAGE_WEIGHTS: readonly (readonly [StageKey, number])[] = [
  ['candidate', 30],
  ['incubating', 17],
  ['tech_sme', 15],
  ['hte_reserve', 10],
  ['hte_applying', 5],
  ['hte_certified', 15],
  ['benchmark', 2],
  ['exited', 6],
];

/** The tables the demo data fills in bulk: their indexes and triggers are off while it loads. */
const BULK_TABLES = ['firms', 'stage_events', 'annual_figures', 'list_entries', 'eligibility_current', 'stage_counts', 'stage_entries', 'conversion_counts'];
const FIRM_COLUMNS = ['id', 'uscc', 'name', 'name_norm', 'park_id', 'town_id', 'field', 'founded_on', 'counsellor_id', 'lifecycle', 'stage', 'version', 'created_at', 'updated_at', 'sector', 'scale_class'];
/** 国民经济行业门类 of the demo firms: Yuyao's firms are mostly manufacturers (门类 C), some software and services. */
const SECTOR_WEIGHTS: readonly (readonly [SectorCode, number])[] = [['C', 70], ['I', 10], ['M', 9], ['F', 5], ['E', 2], ['L', 2], ['D', 1], ['B', 1]];
const EVENT_COLUMNS = ['firm_id', 'from_stage', 'to_stage', 'reason_code', 'reason', 'details', 'source', 'actor_id', 'at'];
const ENTRY_COLUMNS = ['batch_id', 'firm_id', 'kind', 'year', 'is_current', 'line', 'name_matched', 'data'];
const ELIGIBILITY_COLUMNS = ['firm_id', 'rule_set', 'as_of', 'input_years', 'status', 'fails', 'missing', 'reviews', 'rd_gap', 'summary', 'computed_at'];
const FIGURE_COLUMNS = [
  'sales_revenue',
  'main_revenue',
  'total_income',
  'non_taxable_income',
  'hitech_income',
  'total_cost',
  'rd_expense',
  'rd_domestic',
  'rd_outsourced',
  'rd_deductible',
  'staff_total_x100',
  'tech_staff_x100',
  'total_assets',
  'net_assets',
  'ip_class1',
  'ip_class2',
  'ip_class2_used',
  'conversions',
  'major_incident',
  'standards_led',
  'has_rd_institution',
  'national_award_top3',
] as const;
const NULL_FIGURES: Record<string, null> = Object.fromEntries(FIGURE_COLUMNS.map((c) => [c, null]));

export async function isDatabaseEmpty(db: Knex): Promise<boolean> {
  const [firm, user] = await Promise.all([db('firms').first('id'), db('users').first('id')]);
  return !firm && !user;
}

const MAIN: StageKey[] = STAGES.filter((s) => s.order !== null).map((s) => s.key);

interface PlannedEvent {
  from: StageKey | null;
  to: StageKey;
  at: number;
  reasonCode: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

/** A plausible path from candidate to `target`, timed between `start` and `end` (ms). */
function planHistory(rng: Random, target: StageKey, start: number, end: number, certificateNo: (year: number) => string, tail = 0): PlannedEvent[] {
  const steps: Omit<PlannedEvent, 'at'>[] = [{ from: null, to: 'candidate', reasonCode: null, reason: '列入四张清单', details: null }];
  const exiting = target === 'exited';
  const lastMain = exiting ? MAIN[rng.int(0, 4)]! : target;
  const goal = MAIN.indexOf(lastMain);
  let at = 0;
  while (MAIN.indexOf(steps[steps.length - 1]!.to) < goal) {
    const from = steps[steps.length - 1]!.to;
    const i = MAIN.indexOf(from);
    // An occasional skip (an evaluated tech SME found directly), and a rejected application.
    if (from === 'incubating' && goal >= 3 && rng.chance(0.08)) {
      steps.push({ from, to: 'hte_reserve', reasonCode: 'skip', reason: '已入库国家科技型中小企业，直接纳入高企培育库', details: null });
      continue;
    }
    if (from === 'hte_applying' && rng.chance(0.15)) {
      steps.push({ from, to: 'hte_reserve', reasonCode: 'backward', reason: '认定未通过（专家评审研发费用归集不规范），退回培育库', details: null });
      steps.push({ from: 'hte_reserve', to: 'hte_applying', reasonCode: null, reason: null, details: null });
    }
    const to = MAIN[i + 1]!;
    steps.push({ from, to, reasonCode: null, reason: null, details: null });
    at++;
  }
  if (exiting) {
    const reason = rng.pick(EXIT_REASONS.filter((r) => r.key !== 'other'));
    steps.push({ from: lastMain, to: 'exited', reasonCode: reason.key, reason: reason.label, details: null });
  }
  // Spread the steps over the available time with uneven gaps.
  const gaps = steps.map((_, idx) => (idx === 0 ? 0 : rng.between(0.5, 1.5)));
  // `tail`: the share of the time after the last step (certified firms got their certificate years ago).
  const span = (end - start) * (1 - tail);
  const total = gaps.reduce((a, b) => a + b, 0) || 1;
  let t = start;
  return steps.map((s, idx) => {
    t += (gaps[idx]! / total) * span * rng.between(0.85, 1);
    const when = Math.min(t, end);
    const details =
      s.to === 'hte_certified'
        ? // the draw is kept so the rest of the demo data stays as it was; the number is unique per year
          (rng.int(100000, 109999), { certificateNo: certificateNo(Number(shanghaiDate(new Date(when)).slice(0, 4))), certificateDate: shanghaiDate(new Date(when)) })
        : s.details;
    return { ...s, at: Math.round(when), details };
  });
}

const round100 = (x: number) => Math.round(x / 100) * 100;

/** Three years of figures whose shape follows the stage: later stages are larger and more R&D-heavy. */
function planFigures(rng: Random, stage: StageKey, years: number[]) {
  const level = Math.max(0, MAIN.indexOf(stage === 'exited' ? 'incubating' : stage));
  const base = [300, 500, 1200, 2500, 3500, 6000, 30000][level]! * 10000 * rng.between(0.4, 2.2);
  const rdRatio = [0.015, 0.025, 0.035, 0.046, 0.052, 0.055, 0.05][level]! * rng.between(0.6, 1.5);
  const staff = Math.max(8, Math.round(base / 10000 / rng.between(40, 120)));
  const techShare = [0.06, 0.08, 0.11, 0.13, 0.15, 0.17, 0.2][level]! * rng.between(0.6, 1.5);
  const htShare = Math.min(0.97, [0.35, 0.45, 0.55, 0.62, 0.66, 0.72, 0.75][level]! * rng.between(0.8, 1.25));
  let sales = base;
  let net = base * rng.between(0.3, 0.7);
  let class1 = level >= 4 ? rng.int(1, 4) : rng.chance(level * 0.12) ? 1 : 0;
  let class2 = rng.int(0, 3 + level * 3);
  return years.map((year) => {
    sales *= rng.between(0.95, 1.35);
    net *= rng.between(0.98, 1.3);
    class1 += rng.chance(0.3) ? 1 : 0;
    class2 += rng.int(0, 3);
    const rd = sales * rdRatio * rng.between(0.85, 1.15);
    const totalIncome = sales * rng.between(1.0, 1.06);
    const staffTotal = Math.round(staff * rng.between(0.95, 1.15) * 100) / 100;
    return {
      year,
      sales_revenue: round100(sales),
      total_income: round100(totalIncome),
      non_taxable_income: round100(totalIncome * rng.between(0, 0.01)),
      hitech_income: round100(totalIncome * htShare * rng.between(0.95, 1.03)),
      total_cost: round100(sales * rng.between(0.82, 0.95)),
      rd_expense: round100(rd),
      rd_domestic: round100(rd * rng.between(0.85, 1)),
      rd_outsourced: round100(rd * rng.between(0, 0.15)),
      rd_deductible: round100(rd * rng.between(0.9, 1)),
      staff_total_x100: Math.round(staffTotal * 100),
      tech_staff_x100: Math.round(staffTotal * Math.min(0.6, techShare) * 100),
      total_assets: round100(sales * rng.between(0.8, 1.5)),
      net_assets: round100(net),
      ip_class1: class1,
      ip_class2: class2,
      ip_class2_used: level >= 5 ? Math.min(class2, rng.int(0, 5)) : 0,
      conversions: rng.int(0, level + 1),
      major_incident: rng.chance(0.01),
      standards_led: rng.chance(0.04 * level) ? 1 : 0,
      has_rd_institution: level >= 4 && rng.chance(0.3),
      national_award_top3: rng.chance(0.005 * level),
    };
  });
}

/**
 * Which of the four lists a demo firm is on, per year: the further along, the more lists; a firm
 * with R&D spending claims the super-deduction, IP holders are on the patent list, small
 * manufacturers are in the below-size sample, young firms are incubator tenants.
 */
function planListEntries(rng: Random, stage: StageKey, figures: ReturnType<typeof planFigures>, years: number[]) {
  const out: { kind: ListKindKey; year: number; data: Record<string, unknown> }[] = [];
  const level = Math.max(0, MAIN.indexOf(stage === 'exited' ? 'candidate' : stage));
  for (const year of years) {
    const f = figures.find((x) => x.year === year) ?? figures.at(-1);
    if (rng.chance(0.35 + level * 0.09)) out.push({ kind: 'rd_deduction', year, data: f ? { rd_expense: f.rd_expense, rd_deduction: f.rd_deductible } : {} });
    if (rng.chance(0.25 + level * 0.1)) out.push({ kind: 'patent', year, data: { patent_rows: rng.int(1, 3 + level * 2) } });
    if ((!f || f.sales_revenue < 20_000_000) && rng.chance(0.45)) out.push({ kind: 'below_scale', year, data: f ? { revenue: f.sales_revenue } : {} });
    if (level <= 2 && rng.chance(0.3)) out.push({ kind: 'incubator', year, data: {} });
  }
  return out;
}

/** One committed demo batch per list and year, as if the caseworker had imported the agencies' files. */
async function createDemoListBatches(db: Knex, years: number[], actorId: number, at: string): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  let id = 0;
  const rows = [];
  for (const year of years) {
    for (const kind of LIST_KINDS) {
      id++;
      ids.set(`${kind.key}:${year}`, id);
      rows.push({
        id,
        kind: kind.key,
        year,
        file_name: `（演示数据）${year}年${kind.label}名单.xlsx`,
        file_hash: `demo-${kind.key}-${year}`,
        file_size: 0,
        file_type: 'xlsx',
        status: 'committed',
        rows_total: 0,
        rows_matched: 0,
        rows_name_matched: 0,
        rows_new: 0,
        rows_rejected: 0,
        created_by: actorId,
        created_at: at,
        committed_by: actorId,
        committed_at: at,
        version: 1,
      });
    }
  }
  await db('import_batches').insert(rows);
  return ids;
}

function lifecycleFor(rng: Random, foundedMs: number, anchorMs: number): LifecycleKey | null {
  if (rng.chance(0.2)) return null;
  const years = (anchorMs - foundedMs) / (365 * DAY);
  return years < 3 ? 'startup' : years < 9 ? 'growth' : 'mature';
}

export async function seedDemoData(db: Knex, options: SeedOptions): Promise<SeedSummary> {
  const total = options.firms ?? DEFAULT_DEMO_FIRMS;
  const rng = new Random(options.seed ?? 20261127);
  const anchorMs = Date.parse(`${options.anchor ?? '2026-11-20'}T02:00:00Z`);
  const anchorYear = new Date(anchorMs).getUTCFullYear();
  const figureYears = [anchorYear - 3, anchorYear - 2, anchorYear - 1];
  const createdAt = new Date(anchorMs).toISOString();
  const summary: SeedSummary = { parks: DEMO_PARKS.length, users: DEMO_USERS.length, firms: 0, stageEvents: 0, annualFigures: 0 };

  const passwordHash = options.passwordHash ?? (await hashPassword(DEMO_PASSWORD));
  await db.transaction(async (trx) => {
    await trx('parks').insert(DEMO_PARKS.map((p, i) => ({ id: i + 1, code: p.code, name: p.name, kind: p.kind, town: p.town, is_active: true, sort_order: i + 1 })));
    await trx('users').insert(
      DEMO_USERS.map((u, i) => ({
        id: i + 1,
        username: u.username,
        display_name: u.displayName,
        role: u.role,
        password_hash: passwordHash,
        is_active: true,
        version: 1,
        created_at: createdAt,
        updated_at: createdAt,
      })),
    );
    const parkIdByCode = new Map<string, number>(DEMO_PARKS.map((p, i) => [p.code, i + 1]));
    const scopes = DEMO_USERS.flatMap((u, i) => u.parks.map((code) => ({ user_id: i + 1, park_id: parkIdByCode.get(code)! })));
    if (scopes.length) await trx('user_parks').insert(scopes);
    const townIdByCode = new Map(((await trx('towns').select('id', 'code')) as { id: number; code: string }[]).map((t) => [t.code, t.id]));
    const townScopes = DEMO_USERS.flatMap((u, i) => u.towns.map((code) => ({ user_id: i + 1, town_id: townIdByCode.get(code)! })));
    if (townScopes.length) await trx('user_towns').insert(townScopes);
    await resetIdSequence(trx, 'parks');
    await resetIdSequence(trx, 'users');
  });

  const townIdByCode = new Map(((await db('towns').select('id', 'code')) as { id: number; code: string }[]).map((t) => [t.code, t.id]));
  const userId = (username: string) => DEMO_USERS.findIndex((u) => u.username === username) + 1;
  const counsellors = DEMO_USERS.filter((u) => u.role === 'counsellor').map((u) => userId(u.username));
  const actors = [userId('caseworker'), userId('admin')];
  const parkIds = DEMO_PARKS.map((_, i) => [i + 1, PARK_WEIGHTS[i]!] as const);
  const seen = new Set<string>();
  const listYears = [anchorYear - 2, anchorYear - 1];
  const listBatchIds = await createDemoListBatches(db, listYears, userId('caseworker'), createdAt);
  const entriesPerBatch = new Map<number, number>();
  // HTE certificate numbers (GR + year + 33 + six digits, domain.md §1.2), one per certificate.
  const certSeq = new Map<number, number>();
  const nextCertificateNo = (year: number) => {
    const k = (certSeq.get(year) ?? 0) + 1;
    certSeq.set(year, k);
    return `GR${year}33${String(100000 + k).padStart(6, '0')}`;
  };
  const today = todayInShanghai();
  const computedAt = nowIso();
  const verdicts = VerdictPool.forFirms(total);
  const pending: Promise<unknown[][]>[] = [];
  const insertVerdicts = (loader: BulkLoader, rows: unknown[][]) => loader.insert('eligibility_current', ELIGIBILITY_COLUMNS, rows);

  // Rows as arrays, written by the bulk loader with the indexes and triggers off (issue 13 item 3).
  await withBulkLoad(
    db,
    BULK_TABLES,
    async (loader) => {
      const batch = 5000;
      for (let from = 0; from < total; from += batch) {
        const firms: unknown[][] = [];
        const events: unknown[][] = [];
        const figures: unknown[][] = [];
        const entries: unknown[][] = [];
        const verdictInputs: VerdictInput[] = [];
        for (let n = from; n < Math.min(total, from + batch); n++) {
          const id = n + 1;
          const field: TechFieldKey = rng.weighted(FIELD_WEIGHTS);
          let name = firmName(rng, field);
          let uscc = creditCode(rng);
          while (seen.has(name) || seen.has(uscc)) {
            name = firmName(rng, field);
            uscc = creditCode(rng);
          }
          seen.add(name);
          seen.add(uscc);
          const stage = rng.weighted(STAGE_WEIGHTS);
          const foundedMs = anchorMs - rng.between(1.2, 22) * 365 * DAY;
          const firstListed = Math.max(foundedMs + 200 * DAY, anchorMs - rng.between(0.3, 7.5) * 365 * DAY);
          // Certificates spread over the years (their own stream: the rest of the data stays as it was).
          const tail = stage === 'hte_certified' || stage === 'benchmark' ? new Random(((options.seed ?? 20261127) * 31 + id) >>> 0).between(0.05, 0.85) : 0;
          const history = planHistory(rng, stage, firstListed, anchorMs - rng.between(1, 120) * DAY, nextCertificateNo, tail);
          const last = history[history.length - 1]!;
          const parkId = rng.chance(0.93) ? rng.weighted(parkIds) : null;
          const firmField = rng.chance(0.95) ? field : null;
          const foundedOn = new Date(foundedMs).toISOString().slice(0, 10);
          const counsellorId = stage !== 'candidate' && rng.chance(0.85) ? rng.pick(counsellors) : null;
          const lifecycle = stage === 'candidate' ? null : lifecycleFor(rng, foundedMs, anchorMs);
          const firmRow: unknown[] = [
            id,
            uscc,
            name,
            normalizeFirmName(name),
            parkId,
            townIdByCode.get(demoTownCode(id)) ?? null,
            firmField,
            foundedOn,
            counsellorId,
            lifecycle,
            last.to,
            history.length,
            new Date(history[0]!.at).toISOString(),
            new Date(last.at).toISOString(),
          ];
          firms.push(firmRow);
          let certificate: { certificateDate: string } | undefined;
          for (const e of history) {
            if (e.to === 'hte_certified' && e.details) certificate = e.details as { certificateDate: string };
            events.push([id, e.from, e.to, e.reasonCode, e.reason, e.details ? JSON.stringify(e.details) : null, 'seed', rng.pick(actors), new Date(e.at).toISOString()]);
          }
          const planned = stage !== 'candidate' || rng.chance(0.3) ? planFigures(rng, stage, figureYears) : [];
          const stored: Record<string, unknown>[] = planned.map((f) => ({ ...f, major_incident: f.major_incident ? 1 : 0, has_rd_institution: f.has_rd_institution ? 1 : 0, national_award_top3: f.national_award_top3 ? 1 : 0 }));
          // The current year's declaration of incidents (办法 第十一条（八） counts the application year).
          if (planned.length && rng.chance(0.9)) stored.push({ year: anchorYear, major_incident: 0 });
          // Sector and 主营业务收入 from their own stream, so the rest of the demo data stays as it was.
          const side = new Random(((options.seed ?? 20261127) * 37 + id) >>> 0);
          const sector = side.weighted(SECTOR_WEIGHTS);
          for (const f of stored) if (typeof f.sales_revenue === 'number') f.main_revenue = round100(f.sales_revenue * side.between(0.85, 1));
          const scale = scaleClassOf(sector, stored.map((f) => ({ year: f.year as number, mainRevenue: (f.main_revenue as number | undefined) ?? null, salesRevenue: (f.sales_revenue as number | undefined) ?? null })));
          firmRow.push(sector, scale.scaleClass);
          for (const f of stored) figures.push([id, f.year, ...FIGURE_COLUMNS.map((c) => f[c] ?? null), 1, createdAt]);
          for (const e of planListEntries(rng, stage, planned, listYears)) {
            const batchId = listBatchIds.get(`${e.kind}:${e.year}`)!;
            entriesPerBatch.set(batchId, (entriesPerBatch.get(batchId) ?? 0) + 1);
            entries.push([batchId, id, e.kind, e.year, 1, n + 2, 0, JSON.stringify(e.data)]);
          }
          // The firm's verdict summary, as a real install would have it after the figures were entered.
          verdictInputs.push({ id, foundedOn, field: firmField, stage: last.to, figures: stored, certificate });
        }
        await loader.insert('firms', FIRM_COLUMNS, firms);
        await loader.insert('stage_events', EVENT_COLUMNS, events);
        await loader.insert('annual_figures', ['firm_id', 'year', ...FIGURE_COLUMNS, 'version', 'updated_at'], figures);
        await loader.insert('list_entries', ENTRY_COLUMNS, entries);
        pending.push(verdicts.run({ inputs: verdictInputs, nullFigures: NULL_FIGURES, today, computedAt }));
        while (pending.length > 4) await insertVerdicts(loader, await pending.shift()!);
        if ((from / batch) % 20 === 19) await loader.checkpoint();
        summary.firms += firms.length;
        summary.stageEvents += events.length;
        summary.annualFigures += figures.length;
        options.onProgress?.(summary.firms, total);
      }
      for (const p of pending.splice(0)) await insertVerdicts(loader, await p);
    },
    async (exec) => {
      // What the triggers would have kept, computed once from the loaded rows.
      await rebuildCounters(db, exec);
      if (isSqlite(db)) {
        await exec("INSERT INTO firms_fts (firms_fts) VALUES ('rebuild')");
        await exec(`INSERT INTO firms_bigrams (rowid, grams) SELECT id, ${bigramsSql('name_norm')} FROM firms`);
      }
    },
    { onPhase: options.onPhase },
  ).finally(() => verdicts.close());
  await resetIdSequence(db, 'firms');
  await resetIdSequence(db, 'stage_events');
  await resetIdSequence(db, 'annual_figures');
  await resetIdSequence(db, 'list_entries');
  await resetIdSequence(db, 'import_batches');
  // The certification register of these histories (资质, 后续管理; issue 10 item 8).
  options.onPhase?.('certifications');
  summary.certifications = (await seedRegisters(db, { seed: options.seed ?? 20261127, anchor: shanghaiDate(new Date(anchorMs)), actorId: userId('caseworker') })).certifications;
  for (const [batchId, n] of entriesPerBatch) await db('import_batches').where({ id: batchId }).update({ rows_total: n, rows_matched: n });
  options.onPhase?.('list overlap snapshot');
  await refreshOverlapSnapshot(db);
  options.onPhase?.('coaching');
  await seedCoachingDemo(db, { seed: options.seed, anchor: options.anchor }); // coaching-core (issue 9)
  // Coaching events and technical demands (issue 9, branch events-demands).
  options.onPhase?.('events and demands');
  // Dated from the later of the anchor and today, as the interactions are: this year always has events and demands.
  const coachingToday = [shanghaiDate(new Date(anchorMs)), todayInShanghai()].sort().at(-1)!;
  await seedEventsAndDemands(db, { seed: (options.seed ?? 20261127) + 9, today: coachingToday, caseworkerId: userId('caseworker'), counsellorIds: counsellors });
  // After the coaching demo, which writes its follow-ups with ids of its own: the expiry-year tasks come next.
  options.onPhase?.('expiry follow-ups');
  await ensureExpiryFollowUps(db, shanghaiDate(new Date(anchorMs)));
  // reports (issue 10 item 8): targets for 2023–2026, set by the demo administrator (user 1).
  await seedDemoTargets(db, createdAt, 1);
  options.onPhase?.('statistics');
  await analyze(db);
  bumpDataGeneration();
  return summary;
}
