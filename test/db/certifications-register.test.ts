import { expect } from 'chai';
import { migrateLatest, rollbackAll } from '../../src/db/migrate.js';
import {
  certificationFirms,
  certificationsOfFirm,
  countCertifications,
  insertCertification,
  listRegister,
  registerCorrections,
  updateCertification,
  type CertificationValues,
} from '../../src/features/certifications/certifications.queries.js';
import { ensureExpiryFollowUps } from '../../src/features/certifications/certifications.service.js';
import { createFirm, seedBasics } from '../helpers/factories.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

const base = (firmId: number, over: Partial<CertificationValues>): CertificationValues => ({
  firmId,
  kind: 'hte',
  year: 2023,
  number: null,
  level: null,
  mode: 'first',
  appliedOn: null,
  publicizedOn: null,
  filedOn: null,
  issuedOn: null,
  validUntil: null,
  validUntilOverride: false,
  status: 'active',
  statusReasonCode: null,
  statusReason: null,
  statusOn: null,
  note: null,
  ...over,
});

describe('certification register (queries the reports read)', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  it('counts new, re-certified and valid HTE by issue year, by park, and as of an instant after a later correction', async () => {
    const { users, parks } = await seedBasics(t.db);
    const a = await createFirm(t.db, { stage: 'hte_certified', parkId: parks.a, actorId: users.admin.id });
    const b = await createFirm(t.db, { stage: 'hte_certified', parkId: parks.b, actorId: users.admin.id });
    const c = await createFirm(t.db, { stage: 'hte_certified', parkId: parks.a, actorId: users.admin.id });
    const meta = (at: string) => ({ source: 'register', at, by: users.admin.id });
    // a: first certificate 2020-12-01 (valid to 2023-12-01), re-certified 2023-12-08
    await insertCertification(t.db, base(a.id, { year: 2020, number: 'GR202033100001', issuedOn: '2020-12-01', validUntil: '2023-12-01' }), meta('2024-01-01T00:00:00.000Z'));
    await insertCertification(t.db, base(a.id, { year: 2023, mode: 'renewal', number: 'GR202333100001', issuedOn: '2023-12-08', validUntil: '2026-12-08' }), meta('2024-01-01T00:00:00.000Z'));
    const bId = await insertCertification(t.db, base(b.id, { year: 2023, number: 'GR202333100002', issuedOn: '2023-11-20', validUntil: '2026-11-20' }), meta('2024-01-01T00:00:00.000Z'));
    // c: applied in 2024, still pending
    await insertCertification(t.db, base(c.id, { year: 2024, status: 'pending', appliedOn: '2024-06-01' }), meta('2024-06-02T00:00:00.000Z'));

    expect(await countCertifications(t.db, 'hte_new', { year: 2023 })).to.equal(1);
    expect(await countCertifications(t.db, 'hte_renewed', { year: 2023 })).to.equal(1);
    expect(await countCertifications(t.db, 'hte_valid', { year: 2023, date: '2023-12-02' })).to.equal(1); // a lapsed 12-01, b valid
    expect(await countCertifications(t.db, 'hte_valid', { year: 2023, date: '2023-12-01' })).to.equal(2); // last valid day included
    expect(await countCertifications(t.db, 'hte_valid', { year: 2023 })).to.equal(2);
    expect(await countCertifications(t.db, 'hte_applied', { year: 2024 })).to.equal(1);
    expect(await countCertifications(t.db, 'hte_new', { year: 2023, parkId: parks.a })).to.equal(0);
    const byPark = await countCertifications(t.db, 'hte_certified', { year: 2023, groupBy: 'park' });
    expect(byPark.map((r) => [r.label, r.n])).to.have.deep.members([
      ['余姚经济开发区', 1],
      ['中意宁波生态园', 1],
    ]);
    expect(await countCertifications(t.db, 'hte_certified', { year: 2023, parkIds: [parks.b] })).to.equal(1);

    // A correction on 2025-03-01: b's certificate was really issued in 2024.
    const [row] = await certificationsOfFirm(t.db, b.id);
    expect(await updateCertification(t.db, bId, row!.version, { ...row!, issuedOn: '2024-01-05', validUntil: '2027-01-05' }, { change: 'correct', at: '2025-03-01T02:00:00.000Z', by: users.admin.id })).to.equal(true);
    expect(await countCertifications(t.db, 'hte_new', { year: 2023 })).to.equal(0);
    expect(await countCertifications(t.db, 'hte_new', { year: 2023, asOf: '2025-02-28' })).to.equal(1);
    expect(await countCertifications(t.db, 'hte_new', { year: 2023, asOf: '2025-03-01T01:59:59.000Z' })).to.equal(1);
    expect(await countCertifications(t.db, 'hte_new', { year: 2024, asOf: '2025-03-01' })).to.equal(1);
    // Before anything was recorded, nothing.
    expect(await countCertifications(t.db, 'hte_new', { year: 2023, asOf: '2023-12-31' })).to.equal(0);
    const corrections = await registerCorrections(t.db, '2025-02-28');
    expect(corrections.map((c) => [c.certificationId, c.changes])).to.deep.equal([[bId, ['correct']]]);
    const firms = await certificationFirms(t.db, 'hte_new', { year: 2024 });
    expect(firms.map((f) => [f.uscc, f.number])).to.deep.equal([[b.uscc, 'GR202333100002']]);
    expect((await listRegister(t.db, { kind: 'hte', q: 'GR2020' })).total).to.equal(1);
  });

  it('counts tech-SME per evaluation year without revoked ones, and refuses a number or a firm-year twice', async () => {
    const { users } = await seedBasics(t.db);
    const a = await createFirm(t.db, { stage: 'tech_sme', actorId: users.admin.id });
    const b = await createFirm(t.db, { stage: 'tech_sme', actorId: users.admin.id });
    const meta = { source: 'register', at: '2024-05-01T00:00:00.000Z', by: users.admin.id };
    await insertCertification(t.db, base(a.id, { kind: 'tsme', year: 2024, mode: null, number: '20243302810A000001', issuedOn: '2024-05-01' }), meta);
    await insertCertification(t.db, base(b.id, { kind: 'tsme', year: 2024, mode: null, number: '20243302810A000002', issuedOn: '2024-05-01', status: 'revoked', statusOn: '2024-09-01' }), meta);
    expect(await countCertifications(t.db, 'tsme', { year: 2024 })).to.equal(1);
    expect(await countCertifications(t.db, 'tsme_revoked', { year: 2024 })).to.equal(1);
    expect(await countCertifications(t.db, 'tsme', { year: 2025 })).to.equal(0);
    let err: unknown;
    try {
      await insertCertification(t.db, base(a.id, { kind: 'tsme', year: 2025, mode: null, number: '20243302810A000002' }), meta);
    } catch (e) {
      err = e;
    }
    expect(String((err as { code?: string })?.code)).to.match(/SQLITE_CONSTRAINT_UNIQUE|23505/);
    err = undefined;
    try {
      await insertCertification(t.db, base(a.id, { kind: 'tsme', year: 2024, mode: null, number: null }), meta);
    } catch (e) {
      err = e;
    }
    expect(String((err as { code?: string })?.code)).to.match(/SQLITE_CONSTRAINT_UNIQUE|23505/);
  });

  it('migrates certificates held in stage events into register rows (each number once)', async () => {
    await rollbackAll(t.db);
    await migrateLatest(t.db); // a clean run first
    const { users } = await seedBasics(t.db);
    const a = await createFirm(t.db, { stage: 'hte_certified', actorId: users.admin.id });
    const b = await createFirm(t.db, { stage: 'hte_certified', actorId: users.admin.id });
    const ev = (firmId: number, to: string, at: string, details: unknown) => ({ firm_id: firmId, from_stage: 'hte_reserve', to_stage: to, source: 'seed', actor_id: users.admin.id, at, details: details ? JSON.stringify(details) : null });
    await t.db('stage_events').insert([
      ev(a.id, 'hte_applying', '2020-05-01T02:00:00.000Z', null),
      ev(a.id, 'hte_certified', '2020-12-01T02:00:00.000Z', { certificateNo: 'GR202033100009', certificateDate: '2020-12-01' }),
      ev(a.id, 'hte_certified', '2023-12-08T02:00:00.000Z', { certificateNo: 'GR202333100009', certificateDate: '2023-12-08' }),
      ev(b.id, 'hte_certified', '2021-12-01T02:00:00.000Z', { certificateNo: 'GR202033100009', certificateDate: '2021-12-01' }),
    ]);
    // Re-run only the certifications migration over this history.
    const mod = await import('../../migrations/20261202050000_certifications.js');
    const links = await import('../../migrations/20261202050100_certification_follow_ups.js');
    await links.down(t.db);
    await mod.down(t.db);
    await mod.up(t.db);
    await links.up(t.db);
    const rowsA = await certificationsOfFirm(t.db, a.id);
    expect(rowsA.map((r) => [r.year, r.mode, r.number, r.issuedOn, r.validUntil, r.appliedOn])).to.deep.equal([
      [2023, 'renewal', 'GR202333100009', '2023-12-08', '2026-12-08', null],
      [2020, 'first', 'GR202033100009', '2020-12-01', '2023-12-01', '2020-05-01'],
    ]);
    const rowsB = await certificationsOfFirm(t.db, b.id);
    expect(rowsB.map((r) => [r.number, r.note?.includes('GR202033100009')])).to.deep.equal([[null, true]]);
  });
});

describe('期满当年 follow-ups (指引 四、3)', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  it('creates one follow-up per certificate in its expiry year, none for a firm that re-applied, none twice', async () => {
    const { users } = await seedBasics(t.db);
    const a = await createFirm(t.db, { stage: 'hte_certified', counsellorId: users.counsellor.id, actorId: users.admin.id });
    const b = await createFirm(t.db, { stage: 'hte_certified', actorId: users.admin.id });
    const c = await createFirm(t.db, { stage: 'hte_certified', actorId: users.admin.id });
    const meta = { source: 'register', at: '2023-12-09T00:00:00.000Z', by: users.admin.id };
    await insertCertification(t.db, base(a.id, { year: 2023, number: 'GR202333100101', issuedOn: '2023-12-08', validUntil: '2026-12-08' }), meta);
    await insertCertification(t.db, base(b.id, { year: 2023, number: 'GR202333100102', issuedOn: '2023-03-01', validUntil: '2026-03-01' }), meta);
    await insertCertification(t.db, base(c.id, { year: 2023, number: 'GR202333100103', issuedOn: '2023-12-08', validUntil: '2026-12-08' }), meta);
    await insertCertification(t.db, base(c.id, { year: 2026, mode: 'renewal', status: 'pending', appliedOn: '2026-05-01' }), meta);
    expect(await ensureExpiryFollowUps(t.db, '2025-12-31')).to.equal(0);
    expect(await ensureExpiryFollowUps(t.db, '2026-04-01')).to.equal(2);
    expect(await ensureExpiryFollowUps(t.db, '2026-04-02')).to.equal(0);
    const rows = await t.db('follow_ups').orderBy('firm_id').select('firm_id', 'due_on', 'created_by', 'title');
    expect(rows.map((r) => [r.firm_id, r.due_on, r.created_by])).to.deep.equal([
      [a.id, '2026-05-31', users.counsellor.id],
      [b.id, '2026-04-01', users.admin.id], // its last valid day (1 March) has passed: due today
    ]);
    expect(rows[0].title).to.contain('GR202333100101');
  });
});
