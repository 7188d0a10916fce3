/** Stored verdicts: the append-only record of verdicts relied on, and the latest summary per firm. */
import type { Db } from '../../db/types.js';
import type { FirmFacts, RuleSetId, Verdict } from '../../domain/eligibility/index.js';

export interface CurrentEligibility {
  firmId: number;
  ruleSet: RuleSetId;
  asOf: string;
  inputYears: number[];
  status: Verdict['status'];
  fails: number;
  missing: number;
  reviews: number;
  rdGap: number | null;
  summary: string | null;
}

/** The columns of an eligibility_current row that lists show. */
export interface SummaryColumns {
  as_of: string;
  status: Verdict['status'];
  fails: number;
  missing: number;
  reviews: number;
  rd_gap: number | string | null;
  summary: string | null;
}

export function summaryOfRow(r: SummaryColumns): Pick<CurrentEligibility, 'asOf' | 'status' | 'fails' | 'missing' | 'reviews' | 'rdGap' | 'summary'> {
  return {
    asOf: r.as_of,
    status: r.status,
    fails: r.fails,
    missing: r.missing,
    reviews: r.reviews,
    // bigint: PostgreSQL hands it over as text
    rdGap: r.rd_gap === null ? null : Number(r.rd_gap),
    summary: r.summary,
  };
}

export async function upsertCurrent(db: Db, rows: (CurrentEligibility & { computedAt: string })[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db('eligibility_current')
      .insert(
        rows.slice(i, i + 200).map((r) => ({
          firm_id: r.firmId,
          rule_set: r.ruleSet,
          as_of: r.asOf,
          input_years: JSON.stringify(r.inputYears),
          status: r.status,
          fails: r.fails,
          missing: r.missing,
          reviews: r.reviews,
          rd_gap: r.rdGap,
          summary: r.summary,
          computed_at: r.computedAt,
        })),
      )
      .onConflict(['firm_id', 'rule_set'])
      .merge();
  }
}

/** Drop each firm's summaries under any rule set other than the one it now needs (none: all). */
export async function removeOtherSummaries(db: Db, firms: { firmId: number; ruleSet: RuleSetId | null }[]): Promise<void> {
  const byRuleSet = new Map<RuleSetId | null, number[]>();
  for (const f of firms) byRuleSet.set(f.ruleSet, [...(byRuleSet.get(f.ruleSet) ?? []), f.firmId]);
  for (const [ruleSet, ids] of byRuleSet) {
    const q = db('eligibility_current').whereIn('firm_id', ids);
    if (ruleSet) q.whereNot('rule_set', ruleSet);
    await q.delete();
  }
}

export async function currentOf(db: Db, firmIds: number[]): Promise<Map<string, CurrentEligibility>> {
  const out = new Map<string, CurrentEligibility>();
  for (let i = 0; i < firmIds.length; i += 500) {
    const rows = (await db('eligibility_current')
      .whereIn('firm_id', firmIds.slice(i, i + 500))
      .select('firm_id', 'rule_set', 'as_of', 'input_years', 'status', 'fails', 'missing', 'reviews', 'rd_gap', 'summary')) as (SummaryColumns & {
      firm_id: number;
      rule_set: RuleSetId;
      input_years: string;
    })[];
    for (const r of rows) {
      out.set(`${r.firm_id}:${r.rule_set}`, { firmId: r.firm_id, ruleSet: r.rule_set, inputYears: JSON.parse(r.input_years) as number[], ...summaryOfRow(r) });
    }
  }
  return out;
}

/** Keep a verdict the app relied on, with what it was computed from; returns its id. */
export async function recordVerdict(db: Db, firmId: number, verdict: Verdict, facts: FirmFacts, purpose: 'gate' | 'report', actorId: number | null, at: string): Promise<number> {
  const [row] = await db('eligibility_verdicts')
    .insert({
      firm_id: firmId,
      rule_set: verdict.ruleSet,
      as_of: verdict.asOf,
      input_years: JSON.stringify(verdict.inputYears),
      status: verdict.status,
      result: JSON.stringify(verdict),
      inputs: JSON.stringify(facts),
      purpose,
      actor_id: actorId,
      created_at: at,
    })
    .returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}
