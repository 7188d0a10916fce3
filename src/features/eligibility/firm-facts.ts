/** Maps the stored annual figures onto the rules module's input shape. */
import type { YearFigures } from '../../domain/eligibility/index.js';
import type { AnnualFigures } from '../figures/figures.queries.js';

export function yearFiguresOf(f: AnnualFigures): YearFigures {
  return {
    year: f.year,
    salesRevenue: f.salesRevenue,
    totalIncome: f.totalIncome,
    nonTaxableIncome: f.nonTaxableIncome,
    hitechIncome: f.hitechIncome,
    totalCost: f.totalCost,
    rdExpense: f.rdExpense,
    rdDomestic: f.rdDomestic,
    rdOutsourced: f.rdOutsourced,
    rdDeductible: f.rdDeductible,
    staffTotal: f.staffTotal,
    techStaff: f.techStaff,
    totalAssets: f.totalAssets,
    netAssets: f.netAssets,
    ipClass1: f.ipClass1,
    ipClass2: f.ipClass2,
    ipClass2Used: f.ipClass2Used,
    conversions: f.conversions,
    majorIncident: f.majorIncident,
    standardsLed: f.standardsLed,
    hasRdInstitution: f.hasRdInstitution,
    nationalAwardTop3: f.nationalAwardTop3,
  };
}
