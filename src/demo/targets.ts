/**
 * Demo targets for 2023–2026 (issue 10 item 8). 2023 is the bureau's own promise (shared/seed/,
 * reply to CPPCC proposal 113): "力争新认定国家高新技术企业166家，新认定省级科技型中小企业250家"; the
 * 2022 context figures there (199 new, 580 HTEs in all, 30+ clinics) and Yuyao's 2025 report (1,040
 * HTEs, shared/coaching.md §4) give the scale of the other years. Demo figures, not official ones.
 */
import type { Knex } from 'knex';

export const DEMO_TARGETS: Record<number, Record<string, number>> = {
  2023: { hte_new: 166, hte_renewed: 60, hte_valid: 760, tsme: 900, tsme_prov: 250, benchmark: 5, demands: 80, events: 30 },
  2024: { hte_new: 175, hte_renewed: 70, hte_valid: 850, tsme: 950, tsme_prov: 260, benchmark: 6, demands: 90, events: 32 },
  2025: { hte_new: 185, hte_renewed: 80, hte_valid: 1000, tsme: 1000, tsme_prov: 270, benchmark: 6, demands: 100, events: 35 },
  2026: { hte_new: 195, hte_renewed: 90, hte_valid: 1100, tsme: 1050, tsme_prov: 280, benchmark: 8, demands: 100, events: 36 },
};

export async function seedDemoTargets(db: Knex, at: string, by: number): Promise<void> {
  const rows = Object.entries(DEMO_TARGETS).flatMap(([year, metrics]) =>
    Object.entries(metrics).map(([metric, value]) => ({ year: Number(year), metric, park_key: 0, value, version: 1, updated_at: at, updated_by: by })),
  );
  await db('targets').insert(rows);
}
