/**
 * Demo registers (issue 10 item 8): four years of 资质 consistent with the firms' stages, derived
 * from the stage histories the demo seed wrote, with their own random stream (the rest of the demo
 * data does not change):
 *
 * - 高新技术企业: a row per certificate in the stage events (first-time), re-certified in the expiry
 *   year while the firm stays certified (a few not yet: 期满当年, application pending), pending rows
 *   for firms at 高企申报中, failed rows for rejected applications; a few certificates cancelled
 *   (第十九条, the firm moved back to 高企培育库 by a stage event); annual-report ticks with a few
 *   missed (one firm or two with two missed in one validity period);
 * - 科技型中小企业: a registration in most evaluation years since the firm reached 科技型中小企业 (HTE
 *   firms often too, 第八条 direct confirmation), 信息表 ticks, a few revoked;
 * - 省级科技型中小企业 for some of them; 科技领军企业 / 科技小巨人 for the firms at that stage;
 * - per-year settings naming the provincial agency.
 * Each row's history is recorded when it became known (its last date), so "as of" reads make sense.
 */
import type { Knex } from 'knex';
import { resetIdSequence } from '../db/dialect.js';
import { withBulkLoad } from '../db/bulk-load.js';
import { BENCHMARK_LEVELS, PROVINCIAL_AGENCIES } from '../domain/certifications.js';
import { addDays, addYearsClamped, compareDates } from '../domain/eligibility/dates.js';
import { shanghaiDate, shanghaiStartOfDay } from '../lib/dates.js';
import { REGISTER_SNAPSHOT_COLUMNS } from '../features/certifications/certifications.queries.js';
import { Random } from './random.js';
import { groupBy } from '../lib/group-by.js';

interface EventRow {
  firm_id: number;
  from_stage: string | null;
  to_stage: string;
  reason_code: string | null;
  details: string | null;
  at: string;
}

interface FirmRow {
  id: number;
  stage: string;
  founded_on: string | null;
  version: number;
}

export interface RegisterSeedSummary {
  certifications: number;
  ticks: number;
  cancelled: number;
}


const REGISTER_TABLES = ['certifications', 'certification_history', 'compliance_ticks'];
const CERT_COLUMNS = ['id', ...REGISTER_SNAPSHOT_COLUMNS, 'source', 'import_batch_id', 'created_at', 'updated_at', 'created_by', 'updated_by'];
const HISTORY_COLUMNS = ['certification_id', ...REGISTER_SNAPSHOT_COLUMNS, 'change', 'recorded_at', 'recorded_by'];
const TICK_COLUMNS = ['certification_id', 'kind', 'data_year', 'reported_on', 'note', 'recorded_at', 'recorded_by', 'removed_at', 'removed_by'];
/** A row object as the bulk loader's array; booleans as 0/1 (SQLite binds no booleans, PostgreSQL reads '0'/'1'). */
const asRow = (columns: readonly string[], row: Record<string, unknown>) => columns.map((c) => (typeof row[c] === 'boolean' ? (row[c] ? 1 : 0) : (row[c] ?? null)));

/** 10:00 Shanghai on a date, as an instant. */
const morning = (date: string) => new Date(Date.parse(shanghaiStartOfDay(date)) + 2 * 3600_000).toISOString();
const clampDate = (d: string, min: string, max: string) => (compareDates(d, min) < 0 ? min : compareDates(d, max) > 0 ? max : d);

export async function seedRegisters(db: Knex, opts: { seed: number; anchor: string; actorId: number }): Promise<RegisterSeedSummary> {
  const rng = new Random((opts.seed ^ 0x5eed1234) >>> 0);
  const anchor = opts.anchor;
  const anchorYear = Number(anchor.slice(0, 4));
  const years = [anchorYear - 3, anchorYear - 2, anchorYear - 1, anchorYear];
  const summary: RegisterSeedSummary = { certifications: 0, ticks: 0, cancelled: 0 };
  await db('certification_year_settings').insert(
    years.map((year) => ({ year, provincial_agency: year <= anchorYear - 2 ? PROVINCIAL_AGENCIES[0] : PROVINCIAL_AGENCIES[1], hte_report_due_on: null, tsme_info_due_on: null, version: 1, updated_at: morning(`${year}-01-05`), updated_by: opts.actorId })),
  );

  let certId = 0;
  const tsmeSeq = new Map<number, number>();
  const provSeq = new Map<number, number>();
  const renewSeq = new Map<number, number>();
  const maxId = Number(((await db('firms').max({ m: 'id' }).first()) as { m: number | null } | undefined)?.m ?? 0);
  // A cancelled certificate moves the firm back to 高企培育库 (the board and the register agree): made
  // after the load, through the firms' triggers, which the bulk load of the registers leaves on.
  const moves: { firm: FirmRow; at: string; reason: string }[] = [];
  // The three register tables are written by the bulk loader, their indexes built once at the end
  // (at 1M firms, row-by-row inserts into seven live indexes took minutes; issue 13 item 3).
  await withBulkLoad(
    db,
    REGISTER_TABLES,
    async (loader) => {
      for (let from = 1; from <= maxId; from += 5000) {
        const firms = await loader.select<FirmRow>('SELECT id, stage, founded_on, version FROM firms WHERE id BETWEEN ? AND ? ORDER BY id', [from, from + 4999]);
        const events = await loader.select<EventRow>('SELECT firm_id, from_stage, to_stage, reason_code, details, at FROM stage_events WHERE firm_id BETWEEN ? AND ? ORDER BY firm_id, at, id', [from, from + 4999]);
        const byFirm = groupBy(events, (e) => e.firm_id);
        const certs: Record<string, unknown>[] = [];
        const history: Record<string, unknown>[] = [];
        const ticks: Record<string, unknown>[] = [];

        const add = (row: Record<string, unknown>, knownOn: string, extra: { cancelOn?: string } = {}) => {
          const id = ++certId;
          const full = { id, level: null, mode: null, applied_on: null, publicized_on: null, filed_on: null, issued_on: null, valid_until: null, valid_until_override: false, status_reason_code: null, status_reason: null, status_on: null, note: null, is_void: false, version: extra.cancelOn ? 2 : 1, ...row };
          const createdAt = morning(clampDate(knownOn, '2000-01-01', anchor));
          certs.push({ ...full, source: 'seed', import_batch_id: null, created_at: createdAt, updated_at: extra.cancelOn ? morning(extra.cancelOn) : createdAt, created_by: opts.actorId, updated_by: opts.actorId });
          const snap = (over: Record<string, unknown>) => Object.fromEntries(REGISTER_SNAPSHOT_COLUMNS.map((k) => [k, (over as Record<string, unknown>)[k] ?? (full as Record<string, unknown>)[k] ?? null]));
          if (extra.cancelOn) {
            history.push({ certification_id: id, ...snap({ status: 'active', status_reason_code: null, status_reason: null, status_on: null, version: 1 }), status_reason_code: null, status_reason: null, status_on: null, change: 'create', recorded_at: createdAt, recorded_by: opts.actorId });
            history.push({ certification_id: id, ...snap({}), change: 'cancel', recorded_at: morning(extra.cancelOn), recorded_by: opts.actorId });
          } else history.push({ certification_id: id, ...snap({}), change: 'create', recorded_at: createdAt, recorded_by: opts.actorId });
          return id;
        };

        /** Annual-report ticks of an HTE certificate (办法 第十三条), `miss` data years left unreported. */
        const reportTicks = (id: number, issued: string, until: string, lastDay: string, miss: Set<number>) => {
          for (let y = Number(issued.slice(0, 4)); y <= Number(until.slice(0, 4)); y++) {
            const due = `${y}-05-31`;
            if (compareDates(due, issued) <= 0 || compareDates(due, until) > 0 || compareDates(due, lastDay) > 0) continue;
            if (miss.has(y - 1)) continue;
            const on = addDays(due, -rng.int(0, 70));
            if (compareDates(on, anchor) > 0) continue;
            ticks.push({ certification_id: id, kind: 'hte_annual_report', data_year: y - 1, reported_on: on, note: null, recorded_at: morning(on), recorded_by: opts.actorId, removed_at: null, removed_by: null });
          }
        };

        for (const firm of firms) {
          const evs = byFirm.get(firm.id) ?? [];
          const founded = firm.founded_on ?? '2000-01-01';
          const certified = firm.stage === 'hte_certified' || firm.stage === 'benchmark';
          const takenYears = new Set<number>();
          // ── 高新技术企业 ──
          let applied: string | null = null;
          let failedYear: number | null = null;
          const failed: { year: number; applied: string; day: string }[] = [];
          let first: { issued: string; no: string } | null = null;
          for (const e of evs) {
            const day = shanghaiDate(e.at);
            if (e.to_stage === 'hte_applying') applied = day;
            if (e.from_stage === 'hte_applying' && e.to_stage === 'hte_reserve' && applied) {
              failedYear = Number(applied.slice(0, 4));
              failed.push({ year: failedYear, applied, day });
              applied = null;
            }
            if (e.to_stage === 'hte_certified' && e.details) {
              const d = JSON.parse(e.details) as { certificateNo: string; certificateDate: string };
              if (!first) first = { issued: d.certificateDate, no: d.certificateNo };
              applied = applied && compareDates(applied, d.certificateDate) <= 0 ? applied : null;
            }
          }
          if (first && certified) {
            // The chain of certificates: the first, then a re-certification in each expiry year.
            let issued = first.issued;
            let no = first.no;
            let mode: 'first' | 'renewal' = 'first';
            let appliedOn = applied ?? clampDate(addDays(issued, -rng.int(120, 200)), founded, issued);
            const lastEvent = evs.length ? shanghaiDate(evs[evs.length - 1]!.at) : anchor;
            const cancelThis = firm.stage === 'hte_certified' && rng.chance(0.03);
            for (;;) {
              const until = addYearsClamped(issued, 3);
              const year = Number(issued.slice(0, 4));
              const publicized = clampDate(addDays(issued, -rng.int(25, 45)), appliedOn, issued);
              const filed = clampDate(addDays(issued, -rng.int(5, 20)), publicized, issued);
              const expiryYear = Number(until.slice(0, 4));
              const renewIssued = `${expiryYear}-${rng.pick(['10', '11', '12'])}-${String(rng.int(1, 28)).padStart(2, '0')}`;
              const willRenew = compareDates(renewIssued, anchor) <= 0 && (expiryYear < anchorYear || rng.chance(0.8));
              const current = !willRenew;
              takenYears.add(year);
              // A few current certificates cancelled in the last two years (第十九条), two reports missed first.
              const cancelOn = current && cancelThis && compareDates(until, anchor) > 0 ? clampDate(`${anchorYear - rng.int(0, 1)}-0${rng.int(7, 9)}-15`, addDays(issued, 400), anchor) : null;
              const miss = new Set<number>();
              if (cancelOn) {
                miss.add(year);
                miss.add(year + 1);
              } else if (current && rng.chance(0.06)) miss.add(Number(anchor.slice(0, 4)) - (anchor >= `${anchorYear}-06-01` ? 1 : 2));
              else if (current && rng.chance(0.012)) {
                miss.add(year);
                miss.add(year + 1);
              }
              const validCancel = cancelOn && compareDates(cancelOn, issued) > 0 && compareDates(cancelOn, lastEvent) > 0 ? cancelOn : null;
              const id = add(
                {
                  firm_id: firm.id,
                  kind: 'hte',
                  year,
                  number: no,
                  mode,
                  applied_on: appliedOn,
                  publicized_on: publicized,
                  filed_on: filed,
                  issued_on: issued,
                  valid_until: until,
                  status: validCancel ? 'revoked' : 'active',
                  status_reason_code: validCancel ? 'missed_reports' : null,
                  status_on: validCancel,
                },
                issued,
                validCancel ? { cancelOn: validCancel } : {},
              );
              reportTicks(id, issued, until, validCancel ?? anchor, miss);
              if (validCancel) {
                summary.cancelled++;
                moves.push({ firm, at: morning(validCancel), reason: `高新技术企业资格被取消（${validCancel}）：累计两年未填报年度发展情况报表（第十九条（三））` });
                break;
              }
              if (!willRenew) {
                // 期满当年 without a new certificate yet: most have applied.
                if (expiryYear === anchorYear && rng.chance(0.75) && !takenYears.has(anchorYear)) {
                  const ap = `${anchorYear}-0${rng.int(5, 7)}-${String(rng.int(1, 28)).padStart(2, '0')}`;
                  const pub = rng.chance(0.6) ? `${anchorYear}-${rng.pick(['10', '11'])}-0${rng.int(1, 9)}` : null;
                  takenYears.add(anchorYear);
                  add({ firm_id: firm.id, kind: 'hte', year: anchorYear, mode: 'renewal', applied_on: ap, publicized_on: pub && compareDates(pub, anchor) <= 0 ? pub : null, status: 'pending' }, ap);
                }
                break;
              }
              const seq = (renewSeq.get(expiryYear) ?? 0) + 1;
              renewSeq.set(expiryYear, seq);
              appliedOn = `${expiryYear}-0${rng.int(5, 7)}-${String(rng.int(1, 28)).padStart(2, '0')}`;
              issued = renewIssued;
              no = `GR${expiryYear}33${String(200000 + seq).padStart(6, '0')}`;
              mode = 'renewal';
            }
          } else if (firm.stage === 'hte_applying') {
            const ap = applied ?? `${anchorYear}-06-01`;
            const year = Number(ap.slice(0, 4));
            if (!takenYears.has(year)) {
              takenYears.add(year);
              const pub = compareDates(`${year}-10-20`, anchor) <= 0 && rng.chance(0.5) ? `${year}-10-${rng.int(10, 28)}` : null;
              add({ firm_id: firm.id, kind: 'hte', year, mode: 'first', applied_on: ap, publicized_on: pub, status: 'pending' }, ap);
            }
          }

          // Rejected applications, in batch years no certificate or pending application took.
          for (const f of failed) {
            if (takenYears.has(f.year)) continue;
            takenYears.add(f.year);
            add({ firm_id: firm.id, kind: 'hte', year: f.year, mode: 'first', applied_on: f.applied, status: 'failed', status_on: f.day, status_reason: '认定未通过（专家评审研发费用归集不规范）' }, f.day);
          }

          // ── 科技型中小企业 (2017 办法 第十一条): each evaluation year since the firm reached tech_sme ──
          const reached = evs.find((e) => ['tech_sme', 'hte_reserve', 'hte_applying', 'hte_certified', 'benchmark'].includes(e.to_stage));
          const stillIn = ['tech_sme', 'hte_reserve', 'hte_applying', 'hte_certified', 'benchmark'].includes(firm.stage);
          if (reached && stillIn) {
            const since = Number(shanghaiDate(reached.at).slice(0, 4));
            const p = certified ? 0.5 : 0.88;
            let anyTsme = false;
            for (const y of years) {
              if (y < since || y < Number(founded.slice(0, 4)) + 1) continue;
              if (!rng.chance(p)) continue;
              const on = clampDate(`${y}-0${rng.int(5, 9)}-${String(rng.int(1, 28)).padStart(2, '0')}`, founded, anchor);
              if (Number(on.slice(0, 4)) !== y) continue;
              const seq = (tsmeSeq.get(y) ?? 0) + 1;
              tsmeSeq.set(y, seq);
              const revoked = rng.chance(0.012);
              const revokedOn = revoked ? clampDate(`${y + 1}-04-15`, on, anchor) : null;
              const id = add(
                { firm_id: firm.id, kind: 'tsme', year: y, number: `${y}3302810A${String(seq).padStart(6, '0')}`, issued_on: on, status: revokedOn && compareDates(revokedOn, on) > 0 ? 'revoked' : 'active', status_reason_code: revokedOn ? 'info_not_updated' : null, status_on: revokedOn },
                on,
                revokedOn && compareDates(revokedOn, on) > 0 ? { cancelOn: revokedOn } : {},
              );
              anyTsme = true;
              const due = `${y + 1}-03-31`;
              if (!revoked && compareDates(due, anchor) < 0 && rng.chance(0.92)) {
                const rep = addDays(due, -rng.int(0, 80));
                ticks.push({ certification_id: id, kind: 'tsme_info_update', data_year: y, reported_on: rep, note: null, recorded_at: morning(rep), recorded_by: opts.actorId, removed_at: null, removed_by: null });
              }
            }
            // 省级科技型中小企业 (§3.6): some tech SMEs, once.
            if (anyTsme && rng.chance(0.3)) {
              const y = rng.pick(years.filter((x) => x >= since && x <= anchorYear));
              if (y) {
                const seq = (provSeq.get(y) ?? 0) + 1;
                provSeq.set(y, seq);
                const on = clampDate(`${y}-${rng.pick(['06', '09', '11'])}-${String(rng.int(1, 28)).padStart(2, '0')}`, founded, anchor);
                if (Number(on.slice(0, 4)) === y) add({ firm_id: firm.id, kind: 'tsme_prov', year: y, number: rng.chance(0.7) ? `ZJKX${y}${String(seq).padStart(5, '0')}` : null, issued_on: on, status: 'active' }, on);
              }
            }
          }

          // ── 科技领军企业 / 科技小巨人 (§4.3) ──
          if (firm.stage === 'benchmark') {
            const reachedB = evs.find((e) => e.to_stage === 'benchmark');
            const y = Math.max(years[0]!, reachedB ? Number(shanghaiDate(reachedB.at).slice(0, 4)) : anchorYear);
            const kind = rng.chance(0.5) ? 'leading' : 'little_giant';
            const on = clampDate(`${y}-${rng.pick(['07', '09', '12'])}-10`, founded, anchor);
            add({ firm_id: firm.id, kind, year: Number(on.slice(0, 4)), level: rng.pick(BENCHMARK_LEVELS.slice(1)), issued_on: on, status: 'active' }, on);
          }
        }

        await loader.insert('certifications', CERT_COLUMNS, certs.map((r) => asRow(CERT_COLUMNS, r)));
        await loader.insert('certification_history', HISTORY_COLUMNS, history.map((r) => asRow(HISTORY_COLUMNS, r)));
        await loader.insert('compliance_ticks', TICK_COLUMNS, ticks.map((r) => asRow(TICK_COLUMNS, r)));
        if ((from - 1) % 100_000 === 95_000) await loader.checkpoint();
        summary.certifications += certs.length;
        summary.ticks += ticks.length;
      }
    },
    async () => undefined,
  );
  await db.transaction(async (trx) => {
    for (const m of moves) {
      await trx('firms').where({ id: m.firm.id }).update({ stage: 'hte_reserve', version: m.firm.version + 1, updated_at: m.at });
      await trx('stage_events').insert({ firm_id: m.firm.id, from_stage: m.firm.stage, to_stage: 'hte_reserve', reason_code: 'backward', reason: m.reason, details: null, source: 'seed', actor_id: opts.actorId, at: m.at });
    }
  });
  await resetIdSequence(db, 'certifications');
  return summary;
}
