/** Test data builders for the eligibility rules. Money in 元; 1万元 = 10_000 元. */
import type { ConditionResult, FirmFacts, Verdict, YearFigures } from '../../../src/domain/eligibility/index.js';

export const WAN = 10_000;

/** A year that, on its own, satisfies every computable HTE and tech-SME rule. */
export function yearOf(year: number, overrides: Partial<YearFigures> = {}): YearFigures {
  return {
    year,
    salesRevenue: 4000 * WAN,
    totalIncome: 4000 * WAN,
    nonTaxableIncome: 0,
    hitechIncome: 3000 * WAN,
    totalCost: 3500 * WAN,
    rdExpense: 240 * WAN,
    rdDomestic: 200 * WAN,
    rdOutsourced: 0,
    rdDeductible: 240 * WAN,
    staffTotal: 100,
    techStaff: 30,
    totalAssets: 8000 * WAN,
    netAssets: 3000 * WAN,
    ipClass1: 1,
    ipClass2: 4,
    ipClass2Used: 0,
    conversions: 5,
    majorIncident: false,
    standardsLed: 0,
    hasRdInstitution: false,
    nationalAwardTop3: false,
    ...overrides,
  };
}

/**
 * A firm applying in 2025 (HTE) / evaluated in 2025 (tech-SME), registered 2015, with rows for 2020–2025.
 * `years` overrides are merged into the matching rows.
 */
export function firmWith(years: Record<number, Partial<YearFigures>> = {}, overrides: Partial<FirmFacts> = {}): FirmFacts {
  const figures = [2020, 2021, 2022, 2023, 2024, 2025].map((y) => yearOf(y, years[y] ?? {}));
  return {
    registeredOn: '2015-03-01',
    field: '电子信息',
    figures,
    hteCertificate: null,
    listedAbnormal: false,
    seriousDishonesty: false,
    ...overrides,
  };
}

export function conditionOf(verdict: Verdict, id: string): ConditionResult {
  const found = verdict.conditions.find((c) => c.id === id);
  if (!found) throw new Error(`No condition ${id} in ${verdict.conditions.map((c) => c.id).join(', ')}`);
  return found;
}
