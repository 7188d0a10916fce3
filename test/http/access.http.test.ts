/**
 * Roles and jurisdiction, walked from the one permission table: every role × every route that
 * needs a permission is allowed exactly when the table says so; a refusal is 403 and changes
 * nothing; a caseworker limited to park A cannot see or change a firm in park B (404).
 */
import { expect } from 'chai';
import { PERMISSIONS, type Permission, can } from '../../src/domain/permissions.js';
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { createFirm, validUscc } from '../helpers/factories.js';
import { writeCsv, writeXlsx } from '../helpers/list-files.js';
import { registeredRoutes } from '../helpers/routes.js';
import { insertCertification, insertChange } from '../../src/features/certifications/certifications.queries.js';
import { type Client, createTestContext, snapshot, type TestContext, type UserName } from '../helpers/test-app.js';
import { TODAY as today } from '../helpers/today.js';

type Access = 'public' | 'signed-in' | Permission;

/** How each route is guarded. A new route fails the walk below until it is classified here. */
const ROUTE_ACCESS: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /vendor/htmx.min.js': 'public',
  'GET /vendor/sortable.min.js': 'public',
  'GET /vendor/chart.umd.min.js': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'POST /logout': 'signed-in',
  'GET /account/password': 'signed-in',
  'POST /account/password': 'signed-in',
  'GET /': 'firms.read',
  'GET /board': 'firms.read',
  'GET /board/columns/:stage': 'firms.read',
  'GET /firms': 'firms.read',
  'GET /firms/new': 'firms.create',
  'GET /firms/check-uscc': 'firms.read',
  'POST /firms': 'firms.create',
  'GET /firms/:uscc': 'firms.read',
  'GET /firms/:uscc/edit': 'firms.edit',
  'POST /firms/:uscc': 'firms.edit',
  'GET /firms/:uscc/move-menu': 'firms.move',
  'POST /firms/:uscc/stage': 'firms.move',
  'GET /dashboard': 'dashboard.read',
  'GET /admin/users': 'users.manage',
  'POST /admin/users': 'users.manage',
  'GET /admin/users/:id': 'users.manage',
  'POST /admin/users/:id': 'users.manage',
  'POST /admin/users/:id/disable': 'users.manage',
  'POST /admin/users/:id/enable': 'users.manage',
  'POST /admin/users/:id/reset-password': 'users.manage',
  'GET /admin/audit': 'audit.read',
  'GET /admin/audit/export.xlsx': 'audit.read',
  'GET /lists': 'lists.read',
  'POST /lists/imports': 'lists.import',
  'GET /lists/imports/:id': 'lists.read',
  'GET /lists/imports/:id/progress': 'lists.read',
  'POST /lists/imports/:id/mapping': 'lists.import',
  'POST /lists/imports/:id/sheet': 'lists.import',
  'POST /lists/imports/:id/commit': 'lists.import',
  'POST /lists/imports/:id/revert': 'lists.import',
  'POST /lists/imports/:id/discard': 'lists.import',
  'GET /lists/imports/:id/mapping': 'lists.read',
  'GET /lists/imports/:id/sheet': 'lists.read',
  'GET /lists/imports/:id/rejects.:format': 'lists.read',
  'GET /lists/overlap': 'lists.read',
  'GET /lists/firms': 'lists.read',
  'POST /lists/screen': 'lists.screen',
  'GET /firms/:uscc/figures': 'firms.read',
  'GET /firms/:uscc/figures/edit': 'figures.edit',
  'POST /firms/:uscc/figures/:year/check': 'figures.edit',
  'POST /firms/:uscc/figures/:year': 'figures.edit',
  'GET /readiness': 'firms.read',
  'GET /readiness/hints': 'firms.read',
  'GET /admin/parks': 'parks.manage',
  'POST /admin/parks/:type': 'parks.manage',
  'POST /admin/parks/:type/:id/rename': 'parks.manage',
  'POST /admin/parks/:type/:id/merge': 'parks.manage',
  'POST /admin/parks/:type/:id/retire': 'parks.manage',
  // coaching-core (issue 9)
  'GET /coaching': 'firms.read',
  'GET /coaching/interactions/new': 'coaching.write',
  'POST /coaching/interactions': 'coaching.write',
  'GET /coaching/follow-ups/:id': 'coaching.write',
  'POST /coaching/follow-ups/:id/done': 'coaching.write',
  'POST /coaching/follow-ups/:id/cancel': 'coaching.write',
  'GET /firms/:uscc/coaching/plan': 'coaching.write',
  'POST /firms/:uscc/coaching/plan': 'coaching.write',
  'POST /coaching/assign': 'coaching.assign',
  'GET /coaching/apply': 'coaching.write',
  'POST /coaching/apply': 'coaching.write',
  'GET /coaching/templates': 'coaching.configure',
  'POST /coaching/templates': 'coaching.configure',
  'POST /coaching/templates/:id': 'coaching.configure',
  'GET /coaching/settings': 'coaching.configure',
  'POST /coaching/settings': 'coaching.configure',
  // certifications (issue 10)
  'GET /certifications': 'certifications.read',
  'GET /certifications/new': 'certifications.edit',
  'POST /certifications/new': 'certifications.edit',
  'GET /certifications/calendar': 'certifications.read',
  'GET /certifications/review': 'certifications.read',
  'GET /certifications/calendar.:format': 'certifications.read',
  'GET /certifications/settings': 'certifications.settings',
  'POST /certifications/settings': 'certifications.settings',
  'POST /certifications/ticks': 'certifications.edit',
  'POST /certifications/changes': 'certifications.edit',
  'POST /certifications/changes/:id/reported': 'certifications.edit',
  'POST /certifications/:id/cancel': 'certifications.edit',
  'POST /certifications/:id/void': 'certifications.edit',
  'GET /certifications/:id/edit': 'certifications.edit',
  'POST /certifications/:id': 'certifications.edit',
  // Coaching: technical demands, events, leaders' figures (issue 9, branch events-demands)
  'GET /coaching/demands': 'coaching.read',
  'GET /coaching/demands/new': 'coaching.write',
  'GET /firms/:uscc/demands/new': 'coaching.write',
  'POST /firms/:uscc/demands': 'coaching.write',
  'GET /coaching/demands/:id': 'coaching.read',
  'POST /coaching/demands/:id/move': 'coaching.write',
  'POST /coaching/demands/:id/partners': 'coaching.write',
  'POST /coaching/demands/:id/partners/:partnerId/end': 'coaching.write',
  'GET /coaching/events': 'coaching.read',
  'GET /coaching/events/new': 'coaching.write',
  'POST /coaching/events': 'coaching.write',
  'GET /coaching/events/:id': 'coaching.read',
  'POST /coaching/events/:id': 'coaching.write',
  'POST /coaching/events/:id/invitations': 'coaching.write',
  'POST /coaching/events/:id/attendees': 'coaching.write',
  'POST /coaching/events/:id/attendance': 'coaching.write',
  'POST /coaching/events/:id/wrap-up': 'coaching.write',
  'GET /coaching/events/:id/sign-in': 'coaching.read',
  'GET /coaching/events/:id/sign-in.xlsx': 'coaching.read',
  'GET /coaching/summary': 'coaching.read',
  'GET /coaching/summary.xlsx': 'coaching.read',
  // reports (issue 10: exports, targets, the annual report)
  'GET /firms/export.:format': 'firms.read',
  'GET /board/export.:format': 'firms.read',
  'GET /readiness/export.:format': 'firms.read',
  'GET /dashboard/export.:format': 'dashboard.read',
  'GET /targets': 'targets.read',
  'POST /targets': 'targets.manage',
  'GET /reports': 'reports.read',
  'GET /reports/:year.:format': 'reports.read',
  'GET /reports/:year': 'reports.read',
  'GET /reports/:year/status': 'reports.read',
  'POST /reports/:year/freeze': 'reports.freeze',
  // eligibility-inputs (issue 12)
  'GET /firms/:uscc/inputs': 'firms.read',
  'POST /firms/:uscc/staff/:year': 'inputs.edit',
  'POST /firms/:uscc/compliance/events': 'inputs.edit',
  'POST /firms/:uscc/compliance/events/:id/delete': 'inputs.edit',
  'POST /firms/:uscc/compliance/listings': 'inputs.edit',
  'POST /firms/:uscc/compliance/listings/:id/delete': 'inputs.edit',
  'POST /firms/:uscc/compliance/check': 'inputs.edit',
  'POST /firms/:uscc/tsme-option': 'inputs.edit',
  'POST /firms/:uscc/ip': 'inputs.edit',
  'POST /firms/:uscc/ip/:id/delete': 'inputs.edit',
  'POST /firms/:uscc/rd/:year': 'inputs.edit',
  'POST /firms/:uscc/rd/:year/projects': 'inputs.edit',
  'POST /firms/:uscc/rd/:year/projects/:id': 'inputs.edit',
};

const ROLES: UserName[] = ['admin', 'caseworker', 'counsellor', 'leader'];

type Sent = PromiseLike<{ status: number; text: string }>;

interface Probe {
  route: string;
  /**
   * Builds a fresh request target (so an allowed request does not disturb the next one) and
   * returns the request to send; the database is compared between the two.
   */
  prepare(t: TestContext, c: Client, parkId: number): Promise<() => Sent>;
}

let n = 50_000;
const firmIn = async (t: TestContext, parkId: number, stage: 'candidate' | 'incubating' = 'candidate') =>
  createFirm(t.db, { stage, parkId, actorId: t.basics.users.admin.id });
const userToChange = async (t: TestContext, active = true) => {
  const username = `probe${n++}`;
  const [row] = await t.db('users')
    .insert({ username, display_name: '测试用户', role: 'leader', is_active: active, version: 1, created_at: new Date().toISOString(), updated_at: new Date().toISOString() })
    .returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
};

/** A firm the acting user may coach: a counsellor's own (issue 9: counsellors write only for their firms). */
const coachedFirm = async (t: TestContext, c: Client, parkId: number) =>
  createFirm(t.db, { stage: 'tech_sme', parkId, counsellorId: c.user?.role === 'counsellor' ? c.user.id : null, actorId: t.basics.users.admin.id });
const todayNow = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
/** A demand (version 1, 发布) of a firm the acting user may coach. */
async function probeDemand(t: TestContext, c: Client, parkId: number): Promise<number> {
  const f = await coachedFirm(t, c, parkId);
  const at = new Date().toISOString();
  const [row] = await t.db('demands').insert({ firm_id: f.id, title: '探针需求', status: 'published', collected_on: todayNow(), created_by: t.basics.users.admin.id, version: 1, created_at: at, updated_at: at }).returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}
/** An event of today, organised by the acting user (so a counsellor runs it), with one invited firm. */
async function probeEvent(t: TestContext, c: Client, parkId: number): Promise<{ id: number; uscc: string; invitationId: number }> {
  const f = await coachedFirm(t, c, parkId);
  const at = new Date().toISOString();
  const idOf = (r: unknown) => (typeof r === 'object' ? (r as { id: number }).id : (r as number));
  const [e] = await t.db('coaching_events').insert({ kind: 'clinic', title: '探针讲诊会', starts_on: todayNow(), ends_on: todayNow(), owner_id: c.user!.id, version: 1, created_at: at, updated_at: at }).returning('id');
  const [i] = await t.db('event_invitations').insert({ event_id: idOf(e), firm_id: f.id, status: 'invited', invited_by: t.basics.users.admin.id, version: 1, created_at: at, updated_at: at }).returning('id');
  return { id: idOf(e), uscc: f.uscc, invitationId: idOf(i) };
}
/** A firm assigned to the basic counsellor (coaching probes: the counsellor writes only for their own firms). */
const coachedFirmIn = async (t: TestContext, parkId: number) =>
  createFirm(t.db, { stage: 'hte_reserve', parkId, counsellorId: t.basics.users.counsellor.id, actorId: t.basics.users.admin.id });
const openFollowUpIn = async (t: TestContext, parkId: number) => {
  const f = await coachedFirmIn(t, parkId);
  const at = new Date().toISOString();
  const [row] = await t.db('follow_ups').insert({ firm_id: f.id, title: '探针跟进', due_on: '2026-01-01', status: 'open', created_by: t.basics.users.admin.id, version: 1, created_at: at, updated_at: at }).returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
};
const templateId = async (t: TestContext) => {
  const at = new Date().toISOString();
  const [row] = await t.db('coaching_templates').insert({ lifecycle: 'growth', name: `探针模板${n++}`, is_active: true, version: 1, created_at: at, updated_at: at }).returning('id');
  const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
  await t.db('coaching_template_steps').insert({ template_id: id, position: 1, title: '走访', offset_days: 0 });
  return id;
};

const PROBES: Probe[] = [
  // Coaching: technical demands and events (issue 9, branch events-demands)
  { route: 'GET /coaching/demands', prepare: async (_t, c) => () => c.get('/coaching/demands') },
  { route: 'GET /coaching/demands/new', prepare: async (_t, c) => () => c.get('/coaching/demands/new') },
  { route: 'GET /firms/:uscc/demands/new', prepare: async (t, c, parkId) => { const f = await coachedFirm(t, c, parkId); return () => c.get(`/firms/${f.uscc}/demands/new`); } },
  { route: 'POST /firms/:uscc/demands', prepare: async (t, c, parkId) => { const f = await coachedFirm(t, c, parkId); return () => c.post(`/firms/${f.uscc}/demands`).type('form').send({ title: '探针需求', collectedOn: todayNow() }); } },
  { route: 'GET /coaching/demands/:id', prepare: async (t, c, parkId) => { const id = await probeDemand(t, c, parkId); return () => c.get(`/coaching/demands/${id}`); } },
  { route: 'POST /coaching/demands/:id/move', prepare: async (t, c, parkId) => { const id = await probeDemand(t, c, parkId); return () => c.post(`/coaching/demands/${id}/move`).type('form').send({ version: 1, to: 'long_term' }); } },
  {
    route: 'POST /coaching/demands/:id/partners',
    prepare: async (t, c, parkId) => { const id = await probeDemand(t, c, parkId); return () => c.post(`/coaching/demands/${id}/partners`).type('form').send({ version: 1, partnerKind: 'university', partnerName: '宁波大学', partnerStartedOn: todayNow() }); },
  },
  {
    route: 'POST /coaching/demands/:id/partners/:partnerId/end',
    prepare: async (t, c, parkId) => {
      const id = await probeDemand(t, c, parkId);
      const [p] = await t.db('demand_partners').insert({ demand_id: id, kind: 'university', name: '宁波大学', started_on: todayNow(), created_by: t.basics.users.admin.id, created_at: new Date().toISOString() }).returning('id');
      const partnerId = typeof p === 'object' ? (p as { id: number }).id : (p as number);
      return () => c.post(`/coaching/demands/${id}/partners/${partnerId}/end`).type('form').send({ version: 1, endedOn: todayNow() });
    },
  },
  { route: 'GET /coaching/events', prepare: async (_t, c) => () => c.get('/coaching/events') },
  { route: 'GET /coaching/events/new', prepare: async (_t, c) => () => c.get('/coaching/events/new') },
  { route: 'POST /coaching/events', prepare: async (_t, c) => () => c.post('/coaching/events').type('form').send({ kind: 'clinic', title: '探针讲诊会', startsOn: todayNow() }) },
  { route: 'GET /coaching/events/:id', prepare: async (t, c, parkId) => { const e = await probeEvent(t, c, parkId); return () => c.get(`/coaching/events/${e.id}`); } },
  { route: 'POST /coaching/events/:id', prepare: async (t, c, parkId) => { const e = await probeEvent(t, c, parkId); return () => c.post(`/coaching/events/${e.id}`).type('form').send({ version: 1, kind: 'training', title: '改名的培训', startsOn: todayNow() }); } },
  {
    route: 'POST /coaching/events/:id/invitations',
    prepare: async (t, c, parkId) => { const e = await probeEvent(t, c, parkId); const f = await coachedFirm(t, c, parkId); return () => c.post(`/coaching/events/${e.id}/invitations`).type('form').send({ codes: f.uscc }); },
  },
  { route: 'POST /coaching/events/:id/attendees', prepare: async (t, c, parkId) => { const e = await probeEvent(t, c, parkId); return () => c.post(`/coaching/events/${e.id}/attendees`).type('form').send({ attendeeFirm: e.uscc, attendeeName: '王明' }); } },
  { route: 'POST /coaching/events/:id/attendance', prepare: async (t, c, parkId) => { const e = await probeEvent(t, c, parkId); return () => c.post(`/coaching/events/${e.id}/attendance`).type('form').send({ status: 'attended', invitation: String(e.invitationId) }); } },
  { route: 'POST /coaching/events/:id/wrap-up', prepare: async (t, c, parkId) => { const e = await probeEvent(t, c, parkId); return () => c.post(`/coaching/events/${e.id}/wrap-up`).type('form').send({ version: 1 }); } },
  { route: 'GET /coaching/events/:id/sign-in', prepare: async (t, c, parkId) => { const e = await probeEvent(t, c, parkId); return () => c.get(`/coaching/events/${e.id}/sign-in`); } },
  { route: 'GET /coaching/summary', prepare: async (_t, c) => () => c.get('/coaching/summary?by=park') },
  { route: 'GET /coaching/summary.xlsx', prepare: async (_t, c) => () => c.get('/coaching/summary.xlsx?by=lifecycle') },
  { route: 'GET /coaching/events/:id/sign-in.xlsx', prepare: async (t, c, parkId) => { const e = await probeEvent(t, c, parkId); return () => c.get(`/coaching/events/${e.id}/sign-in.xlsx`); } },
  { route: 'GET /firms/new', prepare: async (_t, c) => () => c.get('/firms/new') },
  {
    route: 'POST /firms',
    prepare: async (_t, c, parkId) => () => c.post('/firms').type('form').send({ uscc: validUscc(n++), name: `余姚市权限测试${n}有限公司`, parkId, stage: 'candidate' }),
  },
  { route: 'GET /firms/:uscc', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.get(`/firms/${f.uscc}`); } },
  { route: 'GET /firms/:uscc/edit', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.get(`/firms/${f.uscc}/edit`); } },
  {
    route: 'POST /firms/:uscc',
    prepare: async (t, c, parkId) => {
      const f = await firmIn(t, parkId);
      return () => c.post(`/firms/${f.uscc}`).type('form').send({ uscc: f.uscc, name: '改名有限公司', parkId, version: 1 });
    },
  },
  { route: 'GET /firms/:uscc/move-menu', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.get(`/firms/${f.uscc}/move-menu`); } },
  {
    route: 'POST /firms/:uscc/stage',
    prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/stage`).type('form').send({ to: 'incubating', version: 1, source: 'board' }); },
  },
  { route: 'GET /dashboard', prepare: async (_t, c) => () => c.get('/dashboard') },
  { route: 'GET /admin/users', prepare: async (_t, c) => () => c.get('/admin/users') },
  {
    route: 'POST /admin/users',
    prepare: async (_t, c) => () => c.post('/admin/users').type('form').send({ username: `new${n++}`, displayName: '新用户', role: 'leader', password: '' }),
  },
  { route: 'GET /admin/users/:id', prepare: async (t, c) => { const id = await userToChange(t); return () => c.get(`/admin/users/${id}`); } },
  {
    route: 'POST /admin/users/:id',
    prepare: async (t, c) => { const id = await userToChange(t); return () => c.post(`/admin/users/${id}`).type('form').send({ displayName: '改名', role: 'counsellor', version: 1 }); },
  },
  { route: 'POST /admin/users/:id/disable', prepare: async (t, c) => { const id = await userToChange(t); return () => c.post(`/admin/users/${id}/disable`).type('form').send({ version: 1 }); } },
  { route: 'POST /admin/users/:id/enable', prepare: async (t, c) => { const id = await userToChange(t, false); return () => c.post(`/admin/users/${id}/enable`).type('form').send({ version: 1 }); } },
  { route: 'POST /admin/users/:id/reset-password', prepare: async (t, c) => { const id = await userToChange(t); return () => c.post(`/admin/users/${id}/reset-password`).type('form').send({ version: 1 }); } },
  { route: 'GET /admin/audit', prepare: async (_t, c) => () => c.get('/admin/audit') },
  { route: 'GET /admin/audit/export.xlsx', prepare: async (_t, c) => () => c.get('/admin/audit/export.xlsx') },
  {
    route: 'POST /lists/imports',
    prepare: async (_t, c) => () => c.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', writeCsv([['统一社会信用代码', '企业名称'], [validUscc(n++), '余姚市探针有限公司']])),
  },
  {
    route: 'POST /lists/imports/:id/mapping',
    prepare: async (t, c) => { const id = await uploadedBatch(t); return () => c.post(`/lists/imports/${id}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name', version: 1 }); },
  },
  {
    route: 'POST /lists/imports/:id/sheet',
    prepare: async (t, c) => {
      const file = await writeXlsx([['统一社会信用代码', '企业名称'], [validUscc(n++), '余姚市探针有限公司']], { sheetsBefore: [{ name: '说明', rows: [['说明']] }] });
      const res = await t.admin.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', file);
      const id = Number(/(\d+)$/.exec(res.headers.location ?? '')![1]);
      return () => c.post(`/lists/imports/${id}/sheet`).type('form').send({ sheet: '说明' });
    },
  },
  {
    route: 'POST /lists/imports/:id/commit',
    prepare: async (t, c) => { const id = await previewedBatch(t); return () => c.post(`/lists/imports/${id}/commit`).type('form').send({ confirmReplace: '1' }); },
  },
  {
    // Reverting is for the uploader (or an administrator): the batch is made by the acting user when they may import.
    route: 'POST /lists/imports/:id/revert',
    prepare: async (t, c) => { const id = await committedBatch(t, can(c.user, 'lists.import') ? c : t.admin); return () => c.post(`/lists/imports/${id}/revert`).type('form').send({ confirmRevert: '1' }); },
  },
  {
    // Discarding is for the uploader (or an administrator), like reverting.
    route: 'POST /lists/imports/:id/discard',
    prepare: async (t, c) => { const id = await uploadedBatch(t, can(c.user, 'lists.import') ? c : t.admin); return () => c.post(`/lists/imports/${id}/discard`).type('form').send({}); },
  },
  { route: 'GET /firms/:uscc/figures/edit', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.get(`/firms/${f.uscc}/figures/edit?year=2025`); } },
  {
    route: 'POST /firms/:uscc/figures/:year/check',
    prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/figures/2025/check`).type('form').send({ salesRevenue: 'abc' }); },
  },
  {
    route: 'POST /firms/:uscc/figures/:year',
    prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/figures/2025`).type('form').send({ version: 0, salesRevenue: '100' }); },
  },
  {
    route: 'POST /lists/screen',
    prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post('/lists/screen').type('form').send({ year: 2025, firm: `${f.uscc}:1`, reason: '三张名单' }); },
  },
  { route: 'GET /admin/parks', prepare: async (_t, c) => () => c.get('/admin/parks') },
  { route: 'POST /admin/parks/:type', prepare: async (_t, c) => () => c.post('/admin/parks/town').type('form').send({ name: `探针镇${n++}`, kind: 'town' }) },
  { route: 'POST /admin/parks/:type/:id/rename', prepare: async (t, c) => { const id = await newPark(t); return () => c.post(`/admin/parks/park/${id}/rename`).type('form').send({ name: `改名园区${n++}` }); } },
  {
    route: 'POST /admin/parks/:type/:id/merge',
    prepare: async (t, c) => { const id = await newPark(t); return () => c.post(`/admin/parks/park/${id}/merge`).type('form').send({ into: t.basics.parks.b, confirm: '1' }); },
  },
  { route: 'POST /admin/parks/:type/:id/retire', prepare: async (t, c) => { const id = await newPark(t); return () => c.post(`/admin/parks/park/${id}/retire`).type('form').send({}); } },
  // coaching-core (issue 9)
  { route: 'GET /coaching/interactions/new', prepare: async (t, c, parkId) => { const f = await coachedFirmIn(t, parkId); return () => c.get(`/coaching/interactions/new?firm=${f.uscc}`); } },
  {
    route: 'POST /coaching/interactions',
    prepare: async (t, c, parkId) => {
      const f = await coachedFirmIn(t, parkId);
      return () => c.post('/coaching/interactions').type('form').send({ firm: f.uscc, occurredOn: today, channel: 'visit', reached: 'yes', nextStep: '回访', nextDue: today });
    },
  },
  { route: 'GET /coaching/follow-ups/:id', prepare: async (t, c, parkId) => { const id = await openFollowUpIn(t, parkId); return () => c.get(`/coaching/follow-ups/${id}`); } },
  { route: 'POST /coaching/follow-ups/:id/done', prepare: async (t, c, parkId) => { const id = await openFollowUpIn(t, parkId); return () => c.post(`/coaching/follow-ups/${id}/done`).type('form').send({ version: 1, doneOn: today, result: '已完成' }); } },
  { route: 'POST /coaching/follow-ups/:id/cancel', prepare: async (t, c, parkId) => { const id = await openFollowUpIn(t, parkId); return () => c.post(`/coaching/follow-ups/${id}/cancel`).type('form').send({ version: 1, reason: '企业不再申报' }); } },
  { route: 'GET /firms/:uscc/coaching/plan', prepare: async (t, c, parkId) => { const f = await coachedFirmIn(t, parkId); return () => c.get(`/firms/${f.uscc}/coaching/plan`); } },
  {
    route: 'POST /firms/:uscc/coaching/plan',
    prepare: async (t, c, parkId) => { const f = await coachedFirmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/coaching/plan`).type('form').send({ lifecycle: 'growth', goals: '申报高企', firmVersion: 1, planVersion: '' }); },
  },
  { route: 'POST /coaching/assign', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post('/coaching/assign').type('form').send({ firm: f.uscc, counsellorId: t.basics.users.counsellor.id }); } },
  { route: 'GET /coaching/apply', prepare: async (_t, c) => () => c.get('/coaching/apply') },
  {
    route: 'POST /coaching/apply',
    prepare: async (t, c, parkId) => { const f = await coachedFirmIn(t, parkId); const id = await templateId(t); return () => c.post('/coaching/apply').type('form').send({ templateId: id, startOn: today, firm: f.uscc }); },
  },
  { route: 'GET /coaching/templates', prepare: async (_t, c) => () => c.get('/coaching/templates') },
  { route: 'POST /coaching/templates', prepare: async (_t, c) => () => c.post('/coaching/templates').type('form').send({ lifecycle: 'growth', name: `探针${n++}`, steps: '+0 走访' }) },
  { route: 'POST /coaching/templates/:id', prepare: async (t, c) => { const id = await templateId(t); return () => c.post(`/coaching/templates/${id}`).type('form').send({ version: 1, lifecycle: 'growth', name: `改名${n++}`, steps: '+0 走访\n+30 知识产权梳理' }); } },
  { route: 'GET /coaching/settings', prepare: async (_t, c) => () => c.get('/coaching/settings') },
  {
    route: 'POST /coaching/settings',
    prepare: async (_t, c) => () => c.post('/coaching/settings').type('form').send({ incubating: 150 + (n++ % 100), tech_sme: 120, hte_reserve: 60, hte_applying: 30, hte_certified: 180, benchmark: 180 }),
  },
  // certifications (issue 10)
  { route: 'GET /certifications', prepare: async (_t, c) => () => c.get('/certifications') },
  { route: 'GET /certifications/calendar', prepare: async (_t, c) => () => c.get('/certifications/calendar?days=90') },
  { route: 'GET /certifications/review', prepare: async (_t, c) => () => c.get('/certifications/review') },
  { route: 'GET /certifications/calendar.:format', prepare: async (_t, c) => () => c.get('/certifications/calendar.xlsx') },
  { route: 'GET /certifications/new', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.get(`/certifications/new?firm=${f.uscc}&kind=tsme`); } },
  {
    route: 'POST /certifications/new',
    prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post('/certifications/new').type('form').send({ firm: f.uscc, kind: 'leading', year: 2025, level: '余姚市级' }); },
  },
  { route: 'GET /certifications/settings', prepare: async (_t, c) => () => c.get('/certifications/settings') },
  { route: 'POST /certifications/settings', prepare: async (_t, c) => () => c.post('/certifications/settings').type('form').send({ year: 2030 + (n++ % 70), provincialAgency: '浙江省经济和信息化厅' }) },
  {
    route: 'POST /certifications/ticks',
    prepare: async (t, c, parkId) => { const id = await tsmeRow(t, parkId); return () => c.post('/certifications/ticks').type('form').send({ certificationId: id, kind: 'tsme_info_update', dataYear: 2024, reportedOn: '2025-03-01', back: '/certifications' }); },
  },
  { route: 'POST /certifications/:id/cancel', prepare: async (t, c, parkId) => { const id = await tsmeRow(t, parkId); return () => c.post(`/certifications/${id}/cancel`).type('form').send({ version: 1, reasonCode: 'fraud', statusOn: '2024-08-01' }); } },
  { route: 'POST /certifications/:id/void', prepare: async (t, c, parkId) => { const id = await tsmeRow(t, parkId); return () => c.post(`/certifications/${id}/void`).type('form').send({ version: 1, voidReason: '录入错误' }); } },
  { route: 'GET /certifications/:id/edit', prepare: async (t, c, parkId) => { const id = await tsmeRow(t, parkId); return () => c.get(`/certifications/${id}/edit`); } },
  {
    route: 'POST /certifications/:id',
    prepare: async (t, c, parkId) => {
      const id = await tsmeRow(t, parkId);
      const row = await t.db('certifications').where({ id }).first();
      return () => c.post(`/certifications/${id}`).type('form').send({ version: 1, year: 2024, number: row.number, issuedOn: '2024-05-01', note: '核对' });
    },
  },
  { route: 'POST /certifications/changes', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post('/certifications/changes').type('form').send({ firm: f.uscc, kind: 'rename', eventOn: '2025-01-01' }); } },
  {
    route: 'POST /certifications/changes/:id/reported',
    prepare: async (t, c, parkId) => {
      const f = await firmIn(t, parkId);
      const id = await insertChange(t.db, { firmId: f.id, kind: 'rename', eventOn: '2025-01-01', dueOn: '2025-04-01', description: null, reportedOn: null }, new Date().toISOString(), t.basics.users.admin.id);
      return () => c.post(`/certifications/changes/${id}/reported`).type('form').send({ firm: f.uscc, reportedOn: '2025-02-01' });
    },
  },
  // reports (issue 10)
  { route: 'GET /dashboard/export.:format', prepare: async (_t, c) => () => c.get('/dashboard/export.csv') },
  { route: 'GET /targets', prepare: async (_t, c) => () => c.get('/targets') },
  { route: 'POST /targets', prepare: async (_t, c) => () => c.post('/targets').type('form').send({ year: String(2019 + (n++ % 8)), t_hte_new: '10', v_hte_new: '0' }) },
  { route: 'GET /reports', prepare: async (_t, c) => () => c.get('/reports') },
  { route: 'GET /reports/:year', prepare: async (_t, c) => () => c.get('/reports/2025') },
  { route: 'GET /reports/:year/status', prepare: async (_t, c) => () => c.get('/reports/2025/status?view=live') },
  { route: 'GET /reports/:year.:format', prepare: async (_t, c) => () => c.get('/reports/2025.xlsx') },
  { route: 'POST /reports/:year/freeze', prepare: async (_t, c) => () => c.post('/reports/2024/freeze').type('form').send({ note: '探针' }) },
  // eligibility-inputs (issue 12)
  { route: 'POST /firms/:uscc/staff/:year', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/staff/2025`).type('form').send({ version: 0, ...Object.fromEntries(Array.from({ length: 13 }, (_, m) => [[`t${m}`, '10'], [`k${m}`, '1']]).flat()) }); } },
  { route: 'POST /firms/:uscc/compliance/events', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/compliance/events`).type('form').send({ kind: 'other_penalty', date: '2025-01-02', authority: '某局', docNumber: '某罚1号' }); } },
  {
    route: 'POST /firms/:uscc/compliance/events/:id/delete',
    prepare: async (t, c, parkId) => {
      const f = await firmIn(t, parkId);
      const [row] = await t.db('compliance_events').insert({ firm_id: f.id, kind: 'other_penalty', occurred_on: '2025-01-02', authority: '某局', doc_number: '1', created_by: t.basics.users.admin.id, created_at: new Date().toISOString() }).returning('id');
      const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
      return () => c.post(`/firms/${f.uscc}/compliance/events/${id}/delete`).type('form').send({});
    },
  },
  { route: 'POST /firms/:uscc/compliance/listings', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/compliance/listings`).type('form').send({ list: 'abnormal', listedOn: '2024-01-02' }); } },
  {
    route: 'POST /firms/:uscc/compliance/listings/:id/delete',
    prepare: async (t, c, parkId) => {
      const f = await firmIn(t, parkId);
      const [row] = await t.db('compliance_listings').insert({ firm_id: f.id, list: 'abnormal', listed_on: '2024-01-02', created_by: t.basics.users.admin.id, created_at: new Date().toISOString() }).returning('id');
      const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
      return () => c.post(`/firms/${f.uscc}/compliance/listings/${id}/delete`).type('form').send({});
    },
  },
  { route: 'POST /firms/:uscc/compliance/check', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/compliance/check`).type('form').send({ version: 0, checkedOn: '2025-01-02', source: '信用中国' }); } },
  { route: 'POST /firms/:uscc/tsme-option', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/tsme-option`).type('form').send({ version: 0, option: 'sales' }); } },
  { route: 'POST /firms/:uscc/ip', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/ip`).type('form').send({ kind: 'software', number: `2019SR${String(n++).padStart(7, '0')}`, title: '探针软件', grantedOn: '2020-01-02', acquisition: 'own', status: 'valid' }); } },
  {
    route: 'POST /firms/:uscc/ip/:id/delete',
    prepare: async (t, c, parkId) => {
      const f = await firmIn(t, parkId);
      const at = new Date().toISOString();
      const key = `software:2019SR${String(n++).padStart(7, '0')}`;
      const [row] = await t.db('ip_items').insert({ firm_id: f.id, kind: 'software', number: key.slice(9), number_key: key, title: '探针', acquisition: 'own', status: 'valid', created_at: at, updated_at: at }).returning('id');
      const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
      return () => c.post(`/firms/${f.uscc}/ip/${id}/delete`).type('form').send({ version: 1 });
    },
  },
  { route: 'POST /firms/:uscc/rd/:year', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/rd/2025`).type('form').send({ version: 0, personnel: '10' }); } },
  { route: 'POST /firms/:uscc/rd/:year/projects', prepare: async (t, c, parkId) => { const f = await firmIn(t, parkId); return () => c.post(`/firms/${f.uscc}/rd/2025/projects`).type('form').send({ version: 0, code: 'RD01', name: '项目', personnel: '10' }); } },
  {
    route: 'POST /firms/:uscc/rd/:year/projects/:id',
    prepare: async (t, c, parkId) => {
      const f = await firmIn(t, parkId);
      const amounts = { personnel: 1, direct: 0, depreciation: 0, amortization: 0, design: 0, equipment: 0, outsourced_domestic: 0, outsourced_foreign: 0, other: 0 };
      const [row] = await t.db('rd_projects').insert({ firm_id: f.id, year: 2025, code: 'RD01', name: '项目', ...amounts, version: 1, updated_at: new Date().toISOString() }).returning('id');
      const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
      return () => c.post(`/firms/${f.uscc}/rd/2025/projects/${id}`).type('form').send({ version: 1, code: 'RD01', name: '项目', personnel: '20' });
    },
  },
];

/** A 2024 tech-SME registration of a new firm in the park (version 1). */
async function tsmeRow(t: TestContext, parkId: number): Promise<number> {
  const f = await createFirm(t.db, { stage: 'tech_sme', parkId, actorId: t.basics.users.admin.id });
  return insertCertification(
    t.db,
    { firmId: f.id, kind: 'tsme', year: 2024, number: `20243302810A${n++}`, level: null, mode: null, appliedOn: null, publicizedOn: null, filedOn: null, issuedOn: '2024-05-01', validUntil: null, validUntilOverride: false, status: 'active', statusReasonCode: null, statusReason: null, statusOn: null, note: null },
    { source: 'seed', at: new Date().toISOString(), by: t.basics.users.admin.id },
  );
}

async function newPark(t: TestContext): Promise<number> {
  const [row] = await t.db('parks').insert({ code: `probe-${n}`, name: `探针园区${n++}`, kind: 'park', is_active: true, sort_order: 99 }).returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

/** Batches in each state, made by the admin through the app, for the probes above. */
async function uploadedBatch(t: TestContext, c: Client = t.admin): Promise<number> {
  const res = await c.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', writeCsv([['统一社会信用代码', '企业名称'], [validUscc(n++), '余姚市探针有限公司']]));
  return Number(/(\d+)$/.exec(res.headers.location ?? '')![1]);
}
async function previewedBatch(t: TestContext, c: Client = t.admin): Promise<number> {
  const id = await uploadedBatch(t, c);
  await c.post(`/lists/imports/${id}/mapping`).type('form').send({ field_0: 'uscc', field_1: 'name', version: 1 }).expect(303);
  await (t.app.locals.importRunner as ImportRunner).settled(id);
  return id;
}
async function committedBatch(t: TestContext, c: Client = t.admin): Promise<number> {
  const id = await previewedBatch(t, c);
  // Patent 2025 again and again: each commit replaces the previous probe's list.
  await c.post(`/lists/imports/${id}/commit`).type('form').send({ confirmReplace: '1' }).expect(303);
  await (t.app.locals.importRunner as ImportRunner).settled(id);
  return id;
}

describe('access control', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  it('classifies every registered route (new routes must be added to the table and probed)', () => {
    const routes = registeredRoutes(t.app);
    expect(routes.filter((r) => !(r in ROUTE_ACCESS)), 'unclassified routes').to.deep.equal([]);
    const everyone = new Set(['public', 'signed-in', 'firms.read', 'lists.read']);
    const guarded = Object.entries(ROUTE_ACCESS).filter(([route, access]) => !everyone.has(access) && routes.includes(route));
    const probed = new Set(PROBES.map((p) => p.route));
    expect(guarded.map(([r]) => r).filter((r) => !probed.has(r)), 'guarded routes without a probe').to.deep.equal([]);
  });

  for (const probe of PROBES) {
    const permission = ROUTE_ACCESS[probe.route] as Permission;
    for (const role of ROLES) {
      const allowed = (PERMISSIONS[permission] as readonly string[]).includes(role);
      it(`${probe.route} as ${role} → ${allowed ? 'allowed' : '403, nothing changes'}`, async function () {
        if (probe.route.startsWith('POST /lists/imports/')) this.timeout(30_000); // prepared through worker jobs
        const client = await t.as(role);
        const send = await probe.prepare(t, client, t.basics.parks.a);
        const runner = t.app.locals.importRunner as ImportRunner;
        await runner.idle(); // a preview started by an earlier probe must not change the database meanwhile
        const before = await snapshot(t.db);
        const res = await send();
        await runner.idle();
        if (allowed) {
          expect(res.status, res.text.slice(0, 300)).to.be.oneOf([200, 204, 303]);
        } else {
          expect(res.status).to.equal(403);
          expect(res.text).to.include('不能执行此操作');
          expect(await snapshot(t.db)).to.deep.equal(before);
        }
      });
    }
  }

  describe('a caseworker limited to park A', () => {
    const firmProbes = PROBES.filter((p) => p.route.includes(':uscc'));
    for (const probe of firmProbes) {
      it(`${probe.route} on a firm in park B → 404, nothing changes; in park A → allowed`, async () => {
        const scoped = await t.as('scoped');
        const sendOutside = await probe.prepare(t, scoped, t.basics.parks.b);
        const before = await snapshot(t.db);
        expect((await sendOutside()).status).to.equal(404);
        expect(await snapshot(t.db)).to.deep.equal(before);
        const sendInside = await probe.prepare(t, scoped, t.basics.parks.a);
        expect((await sendInside()).status).to.be.oneOf([200, 204, 303]);
      });
    }

    it('cannot register a firm in park B or without a park', async () => {
      const scoped = await t.as('scoped');
      for (const parkId of [t.basics.parks.b, '']) {
        const res = await scoped.post('/firms').type('form').send({ uscc: validUscc(n++), name: `余姚市越权${n}有限公司`, parkId, stage: 'candidate' });
        expect(res.status).to.equal(422);
        expect(res.text).to.include('只能登记你负责园区或镇街的企业');
      }
    });

    it('sees only park A on the board, in the list, in search and on the dashboard', async () => {
      const a = await createFirm(t.db, { name: '余姚市园区甲可见科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, actorId: t.basics.users.admin.id });
      const b = await createFirm(t.db, { name: '余姚市园区乙隐藏科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.b, actorId: t.basics.users.admin.id });
      const scoped = await t.as('scoped');
      const board = (await scoped.get('/board').expect(200)).text;
      expect(board).to.include(a.uscc);
      expect(board).to.not.include(b.uscc);
      const inA = Number(await t.db('firms').where({ park_id: t.basics.parks.a, stage: 'tech_sme' }).count({ n: '*' }).first().then((r) => r?.n));
      expect(board).to.include(`id="count-tech_sme">${inA}<`);
      const search = (await scoped.get('/firms?q=' + encodeURIComponent('园区乙隐藏')).expect(200)).text;
      expect(search).to.not.include(b.uscc);
      const byCode = (await scoped.get(`/board?q=${b.uscc}`).expect(200)).text;
      expect(byCode).to.not.include(`id="card-${b.uscc}"`);
      const dash = (await scoped.get('/dashboard').expect(200)).text;
      expect(dash).to.include(`data-stage-count="tech_sme">${inA}<`);
      const otherPark = (await scoped.get(`/board?park=${t.basics.parks.b}`).expect(200)).text;
      expect(otherPark).to.include('id="board-total">0<');
      const dropdown = (await scoped.get('/board').expect(200)).text;
      expect(dropdown).to.not.include('中意宁波生态园</option>');
    });
  });

  describe('the interface shows only what the role may do', () => {
    it('a leader sees no move menu, no edit button, no new-firm button and no admin menu', async () => {
      const firm = await firmIn(t, t.basics.parks.a);
      const leader = await t.as('leader');
      const board = (await leader.get('/board').expect(200)).text;
      for (const hidden of ['class="move-menu"', '新增企业', '/admin/users', '拖动卡片']) expect(board).to.not.include(hidden);
      expect(board).to.include('data-can-move="false"');
      const page = (await leader.get(`/firms/${firm.uscc}`).expect(200)).text;
      expect(page).to.not.include('编辑资料');
      expect(page).to.not.include('移动阶段');
    });
    it('a counsellor reads the board and the dashboard but cannot move or edit', async () => {
      const counsellor = await t.as('counsellor');
      const board = (await counsellor.get('/board').expect(200)).text;
      expect(board).to.not.include('class="move-menu"');
      await counsellor.get('/dashboard').expect(200);
    });
    it('an admin sees the users and audit menus; a caseworker does not', async () => {
      expect((await t.admin.get('/board')).text).to.include('href="/admin/users"').and.include('href="/admin/audit"');
      const cw = await t.as('caseworker');
      expect((await cw.get('/board')).text).to.not.include('href="/admin/users"');
    });
  });
});
