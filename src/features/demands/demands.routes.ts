/**
 * Technical demands (技术需求): the register at /coaching/demands (filters, counts by status, the
 * year's figure against its target), one demand's page with its partners (and when their matching
 * ended), history and moves, and collecting a demand for a firm (/firms/:uscc/demands/new), on its
 * own or in an interaction (?interaction=, offered from the firm's timeline and after a visit).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { coachingRefusal, mayWriteCoaching } from '../../domain/coaching/access.js';
import { interactionHeadline } from '../../domain/coaching/interactions.js';
import {
  BUDGET_BANDS,
  DEMANDS_COLLECTED_TARGET,
  DEMAND_LIMITS,
  DEMAND_MOVE_KIND_LABELS,
  DEMAND_STATUSES,
  PARTNER_KINDS,
  budgetBandLabel,
  demandStatusLabel,
  demandTargets,
  isDemandStatus,
  partnerKindLabel,
} from '../../domain/demands.js';
import { TECH_FIELDS, isTechFieldKey, techFieldLabel } from '../../domain/fields.js';
import { can } from '../../domain/permissions.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { shanghaiDateTime, todayInShanghai, yearOf } from '../../lib/dates.js';
import { ForbiddenError, ValidationError } from '../../lib/errors.js';
import { formatWan, formatWanExact } from '../../lib/money.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { redirectAfterWrite, renderPageOrFragment } from '../../web/render.js';
import { type Interaction, findInteraction, firmIdsOfInteraction } from '../coaching/interactions.queries.js';
import { loadFilterOptions } from '../firms/filter-options.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import type { Firm } from '../firms/firms.queries.js';
import { type DemandForm, type MoveForm, type PartnerForm, demandFormOf, moveFormOf, parseDemandForm, parseMoveForm, parsePartnerForm, partnerFormIsEmpty, partnerFormOf } from './demand-form.js';
import { type Demand, type DemandFilters, countCollectedInYear, countDemandsByStatus, demandChanges, demandPartners, listDemands } from './demands.queries.js';
import { type DemandService, StaleDemandError, demandUrl, findDemandInScope } from './demands.service.js';

const PAGE = 100;

/** A demand as a row of the register or the firm page. */
export function demandRow(d: Demand) {
  return {
    ...d,
    href: demandUrl(d.id),
    statusLabel: demandStatusLabel(d.status),
    fieldLabel: techFieldLabel(d.field),
    budgetLabel: budgetBandLabel(d.budgetBand),
    contractWan: d.contractValue === null ? '' : formatWan(d.contractValue),
  };
}

function parseFilters(req: Request): { filters: DemandFilters; params: Record<string, string> } {
  const q = req.query as Record<string, unknown>;
  const status = str(q.status);
  const field = str(q.field);
  const year = positiveInt(q.year);
  const filters: DemandFilters = {
    status: isDemandStatus(status) ? status : null,
    field: isTechFieldKey(field) ? field : null,
    parkId: positiveInt(q.park),
    counsellorId: positiveInt(q.counsellor),
    year: year && year >= 2000 && year <= 2100 ? year : null,
  };
  const params: Record<string, string> = {};
  if (filters.status) params.status = filters.status;
  if (filters.field) params.field = filters.field;
  if (filters.parkId) params.park = String(filters.parkId);
  if (filters.counsellorId) params.counsellor = String(filters.counsellorId);
  if (filters.year) params.year = String(filters.year);
  return { filters, params };
}

/** Where a demand was collected, in words, with a link to it (an event's page, or the firm's timeline). */
function sourceView(i: Interaction | null, firmUscc: string): { id: number; text: string; href: string } | null {
  if (!i) return null;
  return { id: i.id, text: interactionHeadline(i), href: i.eventId !== null ? `/coaching/events/${i.eventId}` : `/firms/${firmUscc}#coaching` };
}

const qs = (params: Record<string, string>) => {
  const s = new URLSearchParams(params).toString();
  return s ? `?${s}` : '';
};

export function demandsRouter(db: Knex, demands: DemandService): Router {
  const router = express.Router();
  router.use('/coaching/demands', requirePermission('coaching.read'));

  router.get('/coaching/demands', async (req, res) => {
    const actor = actorOfResponse(res);
    const { filters, params } = parseFilters(req);
    const page = Math.max(1, positiveInt((req.query as Record<string, unknown>).page) ?? 1);
    const thisYear = yearOf(todayInShanghai());
    const figureYear = filters.year ?? thisYear;
    const [rows, counts, collected, options] = await Promise.all([
      listDemands(db, filters, actor, PAGE + 1, (page - 1) * PAGE),
      countDemandsByStatus(db, filters, actor),
      countCollectedInYear(db, figureYear, actor),
      loadFilterOptions(db, actor),
    ]);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const statusCounts = DEMAND_STATUSES.map((s) => ({
      key: s.key,
      label: s.label,
      count: counts.get(s.key) ?? 0,
      href: `/coaching/demands${qs({ ...params, status: s.key })}`,
      current: filters.status === s.key,
    }));
    const shown = rows.slice(0, PAGE).map(demandRow);
    const years = Array.from({ length: 5 }, (_, i) => thisYear - i);
    renderPageOrFragment(req, res, 'coaching/demands', 'coaching/demands-table', {
      title: '技术需求',
      nav: 'coaching',
      subnav: 'demands',
      filters,
      options: { ...options, years, statuses: DEMAND_STATUSES },
      statusCounts,
      allHref: `/coaching/demands${qs(Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'status')))}`,
      total,
      figure: {
        year: figureYear,
        collected,
        target: DEMANDS_COLLECTED_TARGET,
        percent: Math.min(100, Math.round((collected / DEMANDS_COLLECTED_TARGET) * 100)),
        reached: collected >= DEMANDS_COLLECTED_TARGET,
      },
      rows: shown,
      canCollect: can(actor, 'coaching.write'),
      prev: page > 1 ? `/coaching/demands${qs({ ...params, page: String(page - 1) })}` : null,
      next: rows.length > PAGE ? `/coaching/demands${qs({ ...params, page: String(page + 1) })}` : null,
      print: {
        filters: [
          filters.status ? `状态 ${demandStatusLabel(filters.status)}` : null,
          filters.field ? `领域 ${techFieldLabel(filters.field)}` : null,
          filters.parkId ? `园区 ${options.parks.find((p) => p.id === filters.parkId)?.name ?? ''}` : null,
          filters.counsellorId ? `辅导员 ${options.counsellors.find((c) => c.id === filters.counsellorId)?.displayName ?? ''}` : null,
          filters.year ? `${filters.year} 年征集` : null,
        ].filter(Boolean).join('，') || '全部',
        at: shanghaiDateTime(new Date()),
      },
    });
  });

  /** The register's "登记需求": the firm is chosen by its credit code, then its own form opens. */
  router.get('/coaching/demands/new', requirePermission('coaching.write'), async (req, res) => {
    const uscc = normalizeUscc(str((req.query as Record<string, unknown>).firm));
    if (uscc) {
      const firm = await findFirmInScope(db, uscc, actorOfResponse(res));
      return res.redirect(302, `/firms/${firm.uscc}/demands/new`);
    }
    res.render('coaching/demand-pick', { title: '登记技术需求', nav: 'coaching', subnav: 'demands' });
  });

  // ——— one firm's demands ———

  async function loadFirm(req: Request, res: Response): Promise<Firm> {
    return findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actorOfResponse(res));
  }

  /** The interaction a demand is being collected in — kept only when it covers this firm (else: on its own). */
  async function sourceOf(firm: Firm, claimed: unknown): Promise<Interaction | null> {
    const id = positiveInt(claimed);
    if (id === null || !(await firmIdsOfInteraction(db, id)).includes(firm.id)) return null;
    return findInteraction(db, id);
  }

  function renderForm(res: Response, firm: Firm, form: DemandForm, errors: Record<string, string>, source: Interaction | null, status = 200) {
    res.status(status).render('coaching/demand-new', {
      title: `登记技术需求 · ${firm.name}`,
      nav: 'coaching',
      subnav: 'demands',
      firm,
      form,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      source: sourceView(source, firm.uscc),
      fields: TECH_FIELDS,
      budgets: BUDGET_BANDS,
      limits: DEMAND_LIMITS,
      today: todayInShanghai(),
    });
  }

  router.get('/firms/:uscc/demands/new', requirePermission('coaching.write'), async (req, res) => {
    const firm = await loadFirm(req, res);
    const actor = actorOfResponse(res);
    if (!mayWriteCoaching(actor, firm)) throw new ForbiddenError('NOT_YOUR_FIRM', coachingRefusal(actor, firm));
    const today = todayInShanghai();
    const source = await sourceOf(firm, (req.query as Record<string, unknown>).interaction);
    // Collected in an interaction: it happened on that day, unless the user says otherwise.
    const form = demandFormOf({ contactName: firm.contactName ?? '', contactPhone: firm.contactPhone ?? '', field: firm.field ?? '', collectedOn: source?.occurredOn ?? '' }, today);
    renderForm(res, firm, form, {}, source);
  });

  router.post('/firms/:uscc/demands', requirePermission('coaching.write'), async (req, res) => {
    const firm = await loadFirm(req, res);
    const body = req.body as Record<string, unknown>;
    const today = todayInShanghai();
    const form = demandFormOf(body, today);
    const source = await sourceOf(firm, body.interactionId);
    const parsed = parseDemandForm(form, today);
    if (!parsed.ok) return renderForm(res, firm, form, parsed.errors, source, 422);
    const id = await demands.create(db, firm, parsed.values, source?.id ?? null, writeContext(req, res));
    setFlash(req, 'success', `已登记技术需求“${parsed.values.title}”（征集）。`);
    redirectAfterWrite(req, res, demandUrl(id));
  });

  // ——— one demand ———

  interface FormState {
    move?: MoveForm;
    partner?: PartnerForm;
    /** The end date typed for one partner (its id). */
    partnerEnd?: { partnerId: number; endedOn: string };
    errors?: Record<string, string>;
    conflict?: boolean;
    which?: 'move' | 'partner' | 'partnerEnd';
  }

  async function renderDemand(req: Request, res: Response, demand: Demand, state: FormState = {}, status = 200) {
    const actor = actorOfResponse(res);
    const [partners, changes, source] = await Promise.all([
      demandPartners(db, [demand.id]),
      demandChanges(db, demand.id),
      demand.interactionId !== null ? findInteraction(db, demand.interactionId) : Promise.resolve(null),
    ]);
    const mayWrite = mayWriteCoaching(actor, { parkId: demand.firmParkId, townId: demand.firmTownId, counsellorId: demand.firmCounsellorId });
    const today = todayInShanghai();
    const targets = demandTargets(demand.status).map((t) => ({ ...t, label: `${DEMAND_MOVE_KIND_LABELS[t.kind]}：${demandStatusLabel(t.to)}`, needsReason: t.kind === 'backward' || t.kind === 'close' }));
    renderPageOrFragment(req, res, 'coaching/demand', 'coaching/demand-body', {
      title: `${demand.title} · 技术需求`,
      nav: 'coaching',
      subnav: 'demands',
      demand: demandRow(demand),
      source: sourceView(source, demand.firmUscc),
      partners: partners.map((p) => {
        const typed = state.partnerEnd?.partnerId === p.id ? state.partnerEnd : null;
        return { ...p, kindLabel: partnerKindLabel(p.kind), endValue: typed?.endedOn ?? today, endError: typed ? (state.errors?.endedOn ?? null) : null };
      }),
      changes: changes.map((c) => ({
        ...c,
        when: shanghaiDateTime(c.at),
        text:
          c.kind === 'create'
            ? '登记（征集）'
            : c.kind === 'move'
              ? `${demandStatusLabel(c.fromStatus)} → ${demandStatusLabel(c.toStatus)}`
              : c.kind === 'partner'
                ? `添加对接方：${String(c.details?.name ?? '')}（${partnerKindLabel(String(c.details?.kind ?? ''))}）`
                : c.kind === 'partner_end'
                  ? `对接方结束对接：${String(c.details?.name ?? '')}（${String(c.details?.startedOn ?? '')} 至 ${String(c.details?.endedOn ?? '')}）`
                  : c.kind,
        resolution: c.kind === 'move' && c.details?.resolution ? String(c.details.resolution) : null,
        contractWan: c.kind === 'move' && typeof c.details?.contractValue === 'number' ? formatWan(c.details.contractValue) : null,
      })),
      mayWrite,
      targets,
      partnerKinds: PARTNER_KINDS,
      move: state.move ?? { to: '', reason: '', resolution: '', contractValue: demand.contractValue === null ? '' : formatWanExact(demand.contractValue) },
      partner: state.partner ?? { partnerKind: 'university', partnerName: '', partnerContact: '', partnerStartedOn: today, partnerNote: '' },
      errors: state.errors ?? {},
      which: state.which ?? null,
      conflict: state.conflict ?? false,
      limits: DEMAND_LIMITS,
      today,
    }, status);
  }

  const demandId = (req: Request) => positiveInt(req.params.id) ?? 0;
  const versionOf = (body: Record<string, unknown>) => {
    const v = str(body.version);
    if (!/^\d{1,9}$/.test(v)) throw new ValidationError({ version: '缺少版本号（version），请刷新页面后重试。' });
    return Number(v);
  };

  router.get('/coaching/demands/:id', async (req, res) => {
    const demand = await findDemandInScope(db, demandId(req), actorOfResponse(res));
    await renderDemand(req, res, demand);
  });

  router.post('/coaching/demands/:id/move', requirePermission('coaching.write'), async (req, res) => {
    const demand = await findDemandInScope(db, demandId(req), actorOfResponse(res));
    const body = req.body as Record<string, unknown>;
    const today = todayInShanghai();
    const move = moveFormOf(body);
    const partnerForm = partnerFormOf(body, today);
    const state: FormState = { move, partner: partnerForm, which: 'move' };
    const version = versionOf(body);
    const parsed = parseMoveForm(move);
    if (!parsed.ok) return renderDemand(req, res, demand, { ...state, errors: parsed.errors }, 422);
    let partner = null;
    if (parsed.values.to === 'matching' && !partnerFormIsEmpty(partnerForm)) {
      const p = parsePartnerForm(partnerForm, today);
      if (!p.ok) return renderDemand(req, res, demand, { ...state, errors: p.errors }, 422);
      partner = p.values;
    }
    try {
      const moved = await demands.move(db, demand.id, version, parsed.values, partner, writeContext(req, res));
      setFlash(req, 'success', `需求已移到“${demandStatusLabel(moved.status)}”。`);
      redirectAfterWrite(req, res, demandUrl(demand.id));
    } catch (err) {
      if (err instanceof StaleDemandError) return renderDemand(req, res, err.current, { ...state, conflict: true }, 409);
      if (err instanceof ValidationError) return renderDemand(req, res, demand, { ...state, errors: err.fieldErrors }, 422);
      throw err;
    }
  });

  router.post('/coaching/demands/:id/partners', requirePermission('coaching.write'), async (req, res) => {
    const demand = await findDemandInScope(db, demandId(req), actorOfResponse(res));
    const body = req.body as Record<string, unknown>;
    const today = todayInShanghai();
    const partnerForm = partnerFormOf(body, today);
    const state: FormState = { partner: partnerForm, which: 'partner' };
    const version = versionOf(body);
    const p = parsePartnerForm(partnerForm, today);
    if (!p.ok) return renderDemand(req, res, demand, { ...state, errors: p.errors }, 422);
    try {
      await demands.addPartner(db, demand.id, version, p.values, writeContext(req, res));
      setFlash(req, 'success', `已添加对接方“${p.values.name}”。`);
      redirectAfterWrite(req, res, demandUrl(demand.id));
    } catch (err) {
      if (err instanceof StaleDemandError) return renderDemand(req, res, err.current, { ...state, conflict: true }, 409);
      if (err instanceof ValidationError) return renderDemand(req, res, demand, { ...state, errors: err.fieldErrors }, 422);
      throw err;
    }
  });

  /** The day one partner's matching ended (对接结束). */
  router.post('/coaching/demands/:id/partners/:partnerId/end', requirePermission('coaching.write'), async (req, res) => {
    const demand = await findDemandInScope(db, demandId(req), actorOfResponse(res));
    const body = req.body as Record<string, unknown>;
    const partnerId = positiveInt(req.params.partnerId) ?? 0;
    const endedOn = str(body.endedOn);
    const state: FormState = { partnerEnd: { partnerId, endedOn }, which: 'partnerEnd' };
    const version = versionOf(body);
    try {
      const { changed, partner } = await demands.endPartner(db, demand.id, partnerId, version, endedOn, writeContext(req, res));
      setFlash(req, changed ? 'success' : 'info', changed ? `已登记“${partner.name}”的对接结束日期：${endedOn}。` : `没有修改：“${partner.name}”的对接结束日期已是 ${endedOn}。`);
      redirectAfterWrite(req, res, demandUrl(demand.id));
    } catch (err) {
      if (err instanceof StaleDemandError) return renderDemand(req, res, err.current, { ...state, conflict: true }, 409);
      if (err instanceof ValidationError) return renderDemand(req, res, demand, { ...state, errors: err.fieldErrors }, 422);
      throw err;
    }
  });

  return router;
}
