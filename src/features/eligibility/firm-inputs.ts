/**
 * The detailed eligibility inputs of firms (staff by month, …), read through each feature's queries
 * and handed to the rules as part of FirmFacts. Loaded per chunk of firms, one query per kind.
 */
import type { Db } from '../../db/types.js';
import type { FirmFacts } from '../../domain/eligibility/index.js';
import { complianceOfFirms, complianceRecordOf } from '../compliance/compliance.queries.js';
import { ipItemsOfFirms } from '../ip-register/ip-register.queries.js';
import { rdStructuresOfFirms } from '../rd-structure/rd-structure.queries.js';
import { settingsOfFirms } from './eligibility-settings.queries.js';
import { staffMonthsOfFirms } from '../staff-months/staff-months.queries.js';

export type FirmInputs = Pick<FirmFacts, 'staffMonths' | 'compliance' | 'tsmeRdOption' | 'ipItems' | 'rdStructures'>;

export async function inputsOfFirms(db: Db, firmIds: number[]): Promise<Map<number, FirmInputs>> {
  // One after another: inside a transaction (refreshEligibility) they share one connection.
  const staff = await staffMonthsOfFirms(db, firmIds);
  const compliance = await complianceOfFirms(db, firmIds);
  const settings = await settingsOfFirms(db, firmIds);
  const ip = await ipItemsOfFirms(db, firmIds);
  const rd = await rdStructuresOfFirms(db, firmIds);
  const out = new Map<number, FirmInputs>();
  for (const id of firmIds) {
    out.set(id, {
      staffMonths: (staff.get(id) ?? []).map(({ year, total, tech, partTime }) => ({ year, total, tech, partTime })),
      compliance: complianceRecordOf(compliance.get(id)),
      tsmeRdOption: settings.get(id)?.tsmeRdOption ?? null,
      rdStructures: (rd.get(id) ?? []).map(({ firmId: _f, version: _v, typedTotal: _t, ...s }) => s),
      ipItems: (ip.get(id) ?? []).map(({ id: _id, firmId: _f, source: _s, version: _v, ...item }) => item),
    });
  }
  return out;
}
