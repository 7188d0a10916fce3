/**
 * /coaching/events: the list, a new event, one event's page (details, invitations by firm with
 * named attendees, bulk check-in, the after-event action), its printable sign-in sheet (签到表) and
 * the sheet as XLSX.
 */
import express, { type Request, type Response, type Router } from 'express';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { TOPICS, type TopicKey, isTopicKey, topicLabel } from '../../domain/coaching/interactions.js';
import {
  ATTENDANCE_STATUSES,
  EVENT_KINDS,
  EVENT_LIMITS,
  attendanceLabel,
  checkEventDates,
  eventKindLabel,
  isAttendanceStatus,
  isEventKind,
  mayManageEvent,
} from '../../domain/events.js';
import { can } from '../../domain/permissions.js';
import { shanghaiDateTime, todayInShanghai, yearOf } from '../../lib/dates.js';
import { ConflictError, ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { redirectAfterWrite, renderPageOrFragment } from '../../web/render.js';
import { neutraliseFormula } from '../lists/parsing/export-safe.js';
import { type CoachingEvent, type EventFields, invitationsOfEvent, listEvents } from './events.queries.js';
import { type EventService, StaleEventError, eventUrl, loadEvent } from './events.service.js';

type EventForm = Record<'kind' | 'title' | 'startsOn' | 'endsOn' | 'place' | 'organiser' | 'notes', string> & { topics: string[] };

const listOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);

function eventFormOf(body: Record<string, unknown>): EventForm {
  return {
    kind: str(body.kind),
    title: str(body.title),
    startsOn: str(body.startsOn),
    endsOn: str(body.endsOn),
    place: str(body.place),
    organiser: str(body.organiser),
    notes: str(body.notes),
    topics: listOf(body.topics),
  };
}

function eventFormFrom(e: CoachingEvent): EventForm {
  return { kind: e.kind, title: e.title, startsOn: e.startsOn, endsOn: e.endsOn, place: e.place ?? '', organiser: e.organiser ?? '', notes: e.notes ?? '', topics: e.topics };
}

function parseEventForm(f: EventForm): { ok: true; values: EventFields } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const L = EVENT_LIMITS;
  if (!isEventKind(f.kind)) errors.kind = '请选择活动类型。';
  if (!f.title) errors.title = '请填写活动名称。';
  else if ([...f.title].length > L.title) errors.title = `活动名称不能超过 ${L.title} 字。`;
  if ([...f.place].length > L.place) errors.place = `地点不能超过 ${L.place} 字。`;
  if ([...f.organiser].length > L.organiser) errors.organiser = `主办单位不能超过 ${L.organiser} 字。`;
  if ([...f.notes].length > L.notes) errors.notes = `说明不能超过 ${L.notes} 字。`;
  if (!f.topics.every(isTopicKey)) errors.topics = '请从清单中选择主题。';
  const dates = checkEventDates(f.startsOn, f.endsOn);
  if (!dates.ok) Object.assign(errors, dates.errors);
  if (Object.keys(errors).length || !dates.ok) return { ok: false, errors };
  return {
    ok: true,
    values: { kind: f.kind as EventFields['kind'], title: f.title, ...dates.dates, place: f.place || null, organiser: f.organiser || null, notes: f.notes || null, topics: f.topics as TopicKey[] },
  };
}

const CODE_SPLIT = /[\s,，;；、]+/;

export function eventsRouter(db: Knex, events: EventService): Router {
  const router = express.Router();
  router.use('/coaching/events', requirePermission('coaching.read'));

  router.get('/coaching/events', async (req, res) => {
    const actor = actorOfResponse(res);
    const q = req.query as Record<string, unknown>;
    const year = positiveInt(q.year);
    const kind = str(q.kind);
    const thisYear = yearOf(todayInShanghai());
    const rows = await listEvents(db, actor, { year: year && year >= 2000 && year <= 2100 ? year : null, kind: isEventKind(kind) ? kind : null });
    const today = todayInShanghai();
    renderPageOrFragment(req, res, 'coaching/events', 'coaching/events-table', {
      title: '辅导活动',
      nav: 'coaching',
      subnav: 'events',
      rows: rows.map((e) => ({ ...e, kindLabel: eventKindLabel(e.kind), href: eventUrl(e.id), upcoming: e.startsOn > today, dates: e.endsOn !== e.startsOn ? `${e.startsOn} 至 ${e.endsOn}` : e.startsOn })),
      filters: { year, kind },
      kinds: EVENT_KINDS,
      years: Array.from({ length: 5 }, (_, i) => thisYear - i + 1),
      canCreate: can(actor, 'coaching.write'),
    });
  });

  function renderNew(res: Response, form: EventForm, errors: Record<string, string>, status = 200) {
    res.status(status).render('coaching/event-new', { title: '新增辅导活动', nav: 'coaching', subnav: 'events', form, errors, hasErrors: Object.keys(errors).length > 0, kinds: EVENT_KINDS, topics: TOPICS, limits: EVENT_LIMITS });
  }

  router.get('/coaching/events/new', requirePermission('coaching.write'), (_req, res) => {
    renderNew(res, { kind: 'clinic', title: '', startsOn: todayInShanghai(), endsOn: '', place: '', organiser: '余姚市科学技术局', notes: '', topics: [] }, {});
  });

  router.post('/coaching/events', requirePermission('coaching.write'), async (req, res) => {
    const form = eventFormOf(req.body as Record<string, unknown>);
    const parsed = parseEventForm(form);
    if (!parsed.ok) return renderNew(res, form, parsed.errors, 422);
    const id = await events.create(db, parsed.values, writeContext(req, res));
    setFlash(req, 'success', `已新增活动“${parsed.values.title}”。下一步：邀请企业。`);
    redirectAfterWrite(req, res, eventUrl(id));
  });

  // ——— one event ———

  interface State {
    which?: 'details' | 'invite' | 'attendee' | 'attendance' | 'wrapUp';
    errors?: Record<string, string>;
    form?: EventForm;
    codes?: string;
    attendee?: Record<string, string>;
    conflict?: boolean;
    /** The refusal's message, shown at the top too (the form may not be on the page any more). */
    message?: string;
  }

  async function renderEvent(req: Request, res: Response, event: CoachingEvent, state: State = {}, status = 200) {
    const actor = actorOfResponse(res);
    const invitations = await invitationsOfEvent(db, event.id, actor);
    const today = todayInShanghai();
    const manage = can(actor, 'coaching.write') && mayManageEvent(actor, event);
    const counts = Object.fromEntries(ATTENDANCE_STATUSES.map((s) => [s.key, invitations.filter((i) => i.status === s.key).length]));
    renderPageOrFragment(req, res, 'coaching/event', 'coaching/event-body', {
      title: `${event.title} · 辅导活动`,
      nav: 'coaching',
      subnav: 'events',
      event: {
        ...event,
        kindLabel: eventKindLabel(event.kind),
        topicLabels: event.topics.map(topicLabel).join('、'),
        dates: event.endsOn !== event.startsOn ? `${event.startsOn} 至 ${event.endsOn}` : event.startsOn,
        started: today >= event.startsOn,
        wrappedUpOn: event.wrappedUpAt ? shanghaiDateTime(event.wrappedUpAt) : null,
      },
      invitations: invitations.map((i) => ({ ...i, statusLabel: attendanceLabel(i.status), names: i.attendees.map((a) => a.name + (a.position ? `（${a.position}）` : '')).join('、') })),
      counts,
      invitedCount: invitations.filter((i) => i.status !== 'cancelled').length,
      manage,
      statuses: ATTENDANCE_STATUSES,
      kinds: EVENT_KINDS,
      topics: TOPICS,
      limits: EVENT_LIMITS,
      form: state.form ?? eventFormFrom(event),
      codes: state.codes ?? '',
      attendee: state.attendee ?? { attendeeFirm: '', attendeeName: '', attendeePosition: '', attendeePhone: '' },
      errors: state.errors ?? {},
      which: state.which ?? null,
      conflict: state.conflict ?? false,
      message: state.message ?? null,
    }, status);
  }

  const eventId = (req: Request) => positiveInt(req.params.id) ?? 0;
  const versionOf = (body: Record<string, unknown>) => {
    const v = str(body.version);
    if (!/^\d{1,9}$/.test(v)) throw new ValidationError({ version: '缺少版本号（version），请刷新页面后重试。' });
    return Number(v);
  };

  /** Runs a write; a refusal re-renders the event page with the message at the form that was used. */
  /** Runs a write and says what it did; `{ unchanged }`: the form held what was stored, nothing written. */
  async function attempt(req: Request, res: Response, event: CoachingEvent, state: State, run: () => Promise<string | { unchanged: string }>) {
    try {
      const outcome = await run();
      if (typeof outcome === 'string') setFlash(req, 'success', outcome);
      else setFlash(req, 'info', outcome.unchanged);
      redirectAfterWrite(req, res, eventUrl(event.id));
    } catch (err) {
      if (err instanceof StaleEventError) return renderEvent(req, res, err.current, { ...state, conflict: true }, 409);
      // Another write got there first (an invitation of the same firm): the page as it now is, with what was typed.
      if (err instanceof ConflictError) return renderEvent(req, res, await loadEvent(db, event.id), { ...state, message: err.message }, 409);
      if (err instanceof ValidationError) return renderEvent(req, res, (await loadEvent(db, event.id)), { ...state, errors: err.fieldErrors, message: err.message }, 422);
      throw err;
    }
  }

  router.get('/coaching/events/:id', async (req, res) => {
    await renderEvent(req, res, await loadEvent(db, eventId(req)));
  });

  router.post('/coaching/events/:id', requirePermission('coaching.write'), async (req, res) => {
    const event = await loadEvent(db, eventId(req));
    const body = req.body as Record<string, unknown>;
    const form = eventFormOf(body);
    const state: State = { which: 'details', form };
    const version = versionOf(body);
    const parsed = parseEventForm(form);
    if (!parsed.ok) return renderEvent(req, res, event, { ...state, errors: parsed.errors }, 422);
    await attempt(req, res, event, state, async () => {
      const { changed } = await events.update(db, event.id, version, parsed.values, writeContext(req, res));
      return changed ? '已保存活动信息。' : { unchanged: '没有修改：活动信息与保存前相同。' };
    });
  });

  router.post('/coaching/events/:id/invitations', requirePermission('coaching.write'), async (req, res) => {
    const event = await loadEvent(db, eventId(req));
    const codesText = str((req.body as Record<string, unknown>).codes);
    const codes = codesText.split(CODE_SPLIT).filter(Boolean);
    const state: State = { which: 'invite', codes: codesText };
    if (!codes.length) return renderEvent(req, res, event, { ...state, errors: { codes: '请填写要邀请的企业的统一社会信用代码（每行一个）。' } }, 422);
    if (codes.length > EVENT_LIMITS.invitationsPerRequest) return renderEvent(req, res, event, { ...state, errors: { codes: `一次最多邀请 ${EVENT_LIMITS.invitationsPerRequest} 家企业。` } }, 422);
    await attempt(req, res, event, state, async () => {
      const r = await events.invite(db, event.id, codes, writeContext(req, res));
      return `已邀请 ${r.invited} 家企业${r.already ? `（${r.already} 家此前已邀请）` : ''}。`;
    });
  });

  router.post('/coaching/events/:id/attendees', requirePermission('coaching.write'), async (req, res) => {
    const event = await loadEvent(db, eventId(req));
    const body = req.body as Record<string, unknown>;
    const attendee = { attendeeFirm: str(body.attendeeFirm), attendeeName: str(body.attendeeName), attendeePosition: str(body.attendeePosition), attendeePhone: str(body.attendeePhone) };
    const state: State = { which: 'attendee', attendee };
    const L = EVENT_LIMITS;
    const errors: Record<string, string> = {};
    if (!attendee.attendeeFirm) errors.attendeeFirm = '请选择或填写参会企业的信用代码。';
    if (!attendee.attendeeName) errors.attendeeName = '请填写参会人员姓名。';
    else if ([...attendee.attendeeName].length > L.attendeeName) errors.attendeeName = `姓名不能超过 ${L.attendeeName} 字。`;
    if ([...attendee.attendeePosition].length > L.attendeePosition) errors.attendeePosition = `职务不能超过 ${L.attendeePosition} 字。`;
    if ([...attendee.attendeePhone].length > L.attendeePhone) errors.attendeePhone = `电话不能超过 ${L.attendeePhone} 字。`;
    if (Object.keys(errors).length) return renderEvent(req, res, event, { ...state, errors }, 422);
    await attempt(req, res, event, state, async () => {
      await events.addAttendee(db, event.id, attendee.attendeeFirm, { name: attendee.attendeeName, position: attendee.attendeePosition || null, phone: attendee.attendeePhone || null }, writeContext(req, res));
      return `已登记参会人员 ${attendee.attendeeName}。`;
    });
  });

  /** Bulk check-in: the ticked invitations get the chosen status. */
  router.post('/coaching/events/:id/attendance', requirePermission('coaching.write'), async (req, res) => {
    const event = await loadEvent(db, eventId(req));
    const body = req.body as Record<string, unknown>;
    const status = str(body.status);
    const ids = listOf(body.invitation).map((v) => positiveInt(v)).filter((v): v is number => v !== null);
    const state: State = { which: 'attendance' };
    if (!isAttendanceStatus(status)) return renderEvent(req, res, event, { ...state, errors: { attendance: '请选择要登记的状态。' } }, 422);
    await attempt(req, res, event, state, async () => {
      const n = await events.setAttendance(db, event.id, ids, status, writeContext(req, res));
      const recorded = status === 'attended' ? '，出席已记入各企业的辅导记录' : '';
      return n ? `已将 ${n} 家企业登记为“${attendanceLabel(status)}”${recorded}。` : `勾选的企业已经是“${attendanceLabel(status)}”。`;
    });
  });

  router.post('/coaching/events/:id/wrap-up', requirePermission('coaching.write'), async (req, res) => {
    const event = await loadEvent(db, eventId(req));
    const version = versionOf(req.body as Record<string, unknown>);
    await attempt(req, res, event, { which: 'wrapUp' }, async () => {
      const r = await events.wrapUp(db, event.id, version, writeContext(req, res));
      return `已生成跟进事项：出席企业 ${r.actions} 项行动事项，未出席企业 ${r.catchUps} 项电话回访（出席在签到时已记入各企业的辅导记录）。`;
    });
  });

  // ——— the sign-in sheet (签到表) ———

  async function sheetRows(res: Response, event: CoachingEvent) {
    const invitations = (await invitationsOfEvent(db, event.id, actorOfResponse(res))).filter((i) => i.status !== 'cancelled');
    const rows: { n: number; firmName: string; uscc: string; name: string; position: string; phone: string }[] = [];
    for (const i of invitations) {
      const people = i.attendees.length ? i.attendees : [null];
      for (const a of people) rows.push({ n: rows.length + 1, firmName: i.firmName, uscc: i.firmUscc, name: a?.name ?? '', position: a?.position ?? '', phone: a?.phone ?? '' });
    }
    return rows;
  }

  router.get('/coaching/events/:id/sign-in', async (req, res) => {
    const event = await loadEvent(db, eventId(req));
    const rows = await sheetRows(res, event);
    res.render('coaching/event-sign-in', {
      title: `${event.title} 签到表`,
      nav: 'coaching',
      page: 'signin',
      event: { ...event, kindLabel: eventKindLabel(event.kind), dates: event.endsOn !== event.startsOn ? `${event.startsOn} 至 ${event.endsOn}` : event.startsOn },
      rows,
      blanks: Array.from({ length: 5 }, (_, i) => rows.length + i + 1),
    });
  });

  router.get('/coaching/events/:id/sign-in.xlsx', async (req, res) => {
    const event = await loadEvent(db, eventId(req));
    const rows = await sheetRows(res, event);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('签到表', { pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
    const text = (s: string) => neutraliseFormula(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd'));
    ws.mergeCells('A1:G1');
    ws.getCell('A1').value = text(`${event.title} 签到表`);
    ws.getCell('A1').font = { bold: true, size: 14 };
    ws.getCell('A1').alignment = { horizontal: 'center' };
    ws.mergeCells('A2:G2');
    ws.getCell('A2').value = text(`${eventKindLabel(event.kind)}　时间：${event.endsOn !== event.startsOn ? `${event.startsOn} 至 ${event.endsOn}` : event.startsOn}　地点：${event.place ?? ''}　主办：${event.organiser ?? ''}`);
    const header = ws.getRow(3);
    header.values = ['序号', '企业名称', '统一社会信用代码', '姓名', '职务', '联系电话', '签名'];
    header.font = { bold: true };
    ws.columns = [{ width: 6 }, { width: 34 }, { width: 22 }, { width: 10 }, { width: 12 }, { width: 16 }, { width: 16 }];
    for (const r of rows) {
      const row = ws.addRow([r.n, text(r.firmName), r.uscc, text(r.name), text(r.position), text(r.phone), '']);
      // Codes and phone numbers stay text: Excel would turn 913302… into a rounded number.
      row.getCell(3).numFmt = '@';
      row.getCell(3).value = r.uscc;
      row.getCell(6).numFmt = '@';
    }
    for (let i = 0; i < 5; i++) ws.addRow([rows.length + i + 1, '', '', '', '', '', '']);
    ws.eachRow((row, n) => {
      if (n < 3) return;
      row.eachCell({ includeEmpty: true }, (cell) => {
        cell.border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };
      });
      row.height = 24;
    });
    const file = `${event.startsOn}-签到表.xlsx`;
    res.set({
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="sign-in-${event.id}.xlsx"; filename*=UTF-8''${encodeURIComponent(file)}`,
      'Cache-Control': 'no-store',
    });
    await wb.xlsx.write(res);
    res.end();
  });

  return router;
}
