/** Test data built through the same tables the app uses; each helper returns what a test needs. */
import type { Knex } from 'knex';
import { normalizeFirmName } from '../../src/domain/firm-name.js';
import type { StageKey } from '../../src/domain/stages.js';
import { usccCheckCharacter } from '../../src/domain/uscc.js';
import type { Actor, Role } from '../../src/domain/actor.js';
import { hashPassword } from '../../src/features/accounts/passwords.js';
import { figureColumns, type FigureValues } from '../../src/features/figures/figures.queries.js';
import { refreshScaleClasses } from '../../src/features/firms/firms.queries.js';

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** A valid credit code, different for every n (digits-only organisation code body). */
export function validUscc(n: number, region = '330281'): string {
  const body8 = String(n).padStart(8, '0').slice(-8);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body8[i]) * ORG_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  const first17 = `91${region}${body8}${c === 10 ? 'X' : c === 11 ? '0' : String(c)}`;
  return first17 + usccCheckCharacter(first17);
}

export interface Basics {
  parks: { a: number; b: number };
  users: Record<'admin' | 'caseworker' | 'counsellor' | 'leader' | 'scoped', Actor>;
}

const T0 = '2024-01-01T00:00:00.000Z';

/** Every test user's password. Hashing is slow on purpose, so it is done once per process. */
export const TEST_PASSWORD = 'miaopu-demo';
let testHash: Promise<string> | null = null;
export function testPasswordHash(): Promise<string> {
  testHash ??= hashPassword(TEST_PASSWORD);
  return testHash;
}

export async function seedBasics(db: Knex): Promise<Basics> {
  const [a] = await db('parks').insert({ code: 'park-a', name: '余姚经济开发区', kind: 'park', is_active: true, sort_order: 1 }).returning('id');
  const [b] = await db('parks').insert({ code: 'park-b', name: '中意宁波生态园', kind: 'park', is_active: true, sort_order: 2 }).returning('id');
  const idOf = (r: unknown) => (typeof r === 'object' ? (r as { id: number }).id : (r as number));
  const parks = { a: idOf(a), b: idOf(b) };
  const specs: [keyof Basics['users'], Role, string, number[] | null][] = [
    ['admin', 'admin', '系统管理员', null],
    ['caseworker', 'caseworker', '王晓燕', null],
    ['counsellor', 'counsellor', '李志强', null],
    ['leader', 'leader', '陈建华', null],
    ['scoped', 'caseworker', '周涛', [parks.a]],
  ];
  const users = {} as Basics['users'];
  for (const [username, role, displayName, parkIds] of specs) {
    const [row] = await db('users')
      .insert({ username, display_name: displayName, role, password_hash: await testPasswordHash(), is_active: true, version: 1, created_at: T0, updated_at: T0 })
      .returning('id');
    users[username] = { id: idOf(row), username, displayName, role, parkIds };
    if (parkIds) await db('user_parks').insert(parkIds.map((park_id) => ({ user_id: idOf(row), park_id })));
  }
  return { parks, users };
}

let counter = 1000;

export interface FirmSeed {
  uscc?: string;
  name?: string;
  stage?: StageKey;
  parkId?: number | null;
  townId?: number | null;
  field?: string | null;
  /** 国民经济行业门类 (A–T). */
  sector?: string | null;
  foundedOn?: string | null;
  counsellorId?: number | null;
  /** When the firm entered its current stage. */
  at?: string;
  actorId: number;
}

export interface SeededFirm {
  id: number;
  uscc: string;
  name: string;
  stage: StageKey;
  version: number;
}

/** A firm whose history is one event into its current stage. */
export async function createFirm(db: Knex, seed: FirmSeed): Promise<SeededFirm> {
  const n = counter++;
  const uscc = seed.uscc ?? validUscc(n);
  const name = seed.name ?? `余姚市测试${n}科技有限公司`;
  const stage = seed.stage ?? 'candidate';
  const at = seed.at ?? T0;
  const [row] = await db('firms')
    .insert({
      uscc,
      name,
      name_norm: normalizeFirmName(name),
      park_id: seed.parkId === undefined ? null : seed.parkId,
      town_id: seed.townId ?? null,
      field: seed.field ?? null,
      sector: seed.sector ?? null,
      founded_on: seed.foundedOn ?? '2015-06-01',
      counsellor_id: seed.counsellorId ?? null,
      stage,
      version: 1,
      created_at: at,
      updated_at: at,
    })
    .returning('id');
  const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
  await db('stage_events').insert({ firm_id: id, from_stage: null, to_stage: stage, source: 'seed', actor_id: seed.actorId, at });
  if (seed.sector) await refreshScaleClasses(db, [id]);
  return { id, uscc, name, stage, version: 1 };
}

const EMPTY: FigureValues = {
  salesRevenue: null,
  mainRevenue: null,
  totalIncome: null,
  nonTaxableIncome: null,
  hitechIncome: null,
  totalCost: null,
  rdExpense: null,
  rdDomestic: null,
  rdOutsourced: null,
  rdDeductible: null,
  staffTotal: null,
  techStaff: null,
  totalAssets: null,
  netAssets: null,
  ipClass1: null,
  ipClass2: null,
  ipClass2Used: null,
  conversions: null,
  majorIncident: null,
  standardsLed: null,
  hasRdInstitution: null,
  nationalAwardTop3: null,
};

export async function addFigures(db: Knex, firmId: number, year: number, values: Partial<FigureValues>): Promise<void> {
  await db('annual_figures').insert({ firm_id: firmId, year, ...figureColumns({ ...EMPTY, ...values }), version: 1, updated_at: T0 });
  // As the app's writers do: the stored 规上/规下 class follows the figures.
  await refreshScaleClasses(db, [firmId]);
}

/**
 * Figures for three years that meet every computable high-tech condition comfortably, plus the
 * application year's incident declaration (办法 第十一条（八） counts the application year too).
 */
export async function addPassingHteFigures(db: Knex, firmId: number, lastYear: number): Promise<void> {
  await addFigures(db, firmId, lastYear + 1, { majorIncident: false });
  for (const [i, year] of [lastYear - 2, lastYear - 1, lastYear].entries()) {
    const sales = [3000, 4000, 5000][i]! * 10000;
    await addFigures(db, firmId, year, {
      salesRevenue: sales,
      totalIncome: sales,
      nonTaxableIncome: 0,
      hitechIncome: Math.round(sales * 0.8),
      totalCost: Math.round(sales * 0.9),
      rdExpense: Math.round(sales * 0.07),
      rdDomestic: Math.round(sales * 0.07),
      rdOutsourced: 0,
      rdDeductible: Math.round(sales * 0.07),
      staffTotal: 100,
      techStaff: 25,
      totalAssets: sales,
      netAssets: [1000, 1500, 2200][i]! * 10000,
      ipClass1: 3,
      ipClass2: 10,
      ipClass2Used: 0,
      conversions: 6,
      majorIncident: false,
      standardsLed: 0,
      hasRdInstitution: false,
      nationalAwardTop3: false,
    });
  }
}
