/**
 * Coaching routes (/coaching…): the workspace, the interaction form, closing follow-ups, the
 * firm's plan, assigning counsellors, applying templates, templates and contact thresholds.
 * Handlers parse input, call the service, pick a view.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { mayWriteCoaching } from '../../domain/coaching/access.js';
import { CONTACT_RULE_STAGES, CONTACT_DAYS_LIMITS } from '../../domain/coaching/contact.js';
import { FOLLOW_UP_LIMITS } from '../../domain/coaching/follow-ups.js';
import { CHANNELS, INTERACTION_LIMITS, MANUAL_CHANNELS, TOPICS } from '../../domain/coaching/interactions.js';
import { PLAN_LIMITS, TARGET_CERTIFICATIONS } from '../../domain/coaching/plans.js';
import { TEMPLATE_LIMITS, formatTemplateSteps, templateDueDates } from '../../domain/coaching/templates.js';
import { LIFECYCLES } from '../../domain/fields.js';
import { can, coversFirm } from '../../domain/permissions.js';
import { type StageKey, stageLabel } from '../../domain/stages.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai } from '../../lib/dates.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, safeReturnPath, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { redirectAfterWrite, renderPageOrFragment } from '../../web/render.js';
import { loadFilterOptions } from '../firms/filter-options.js';
import { parseFirmFilters, pickFilters } from '../firms/firm-filters.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import { findFirmsById, firmsMatching } from '../firms/firms.queries.js';
import { listCounsellors } from '../users/users.queries.js';
import { type CoachingService, StaleFollowUpError, StalePlanError, StaleTemplateError } from './coaching.service.js';
import { firmCodes, interactionValues, parseInteraction, parsePlan, parseTemplate, planValues, templateValues } from './coaching-forms.js';
import { contactDaysByStage } from './contact-rules.queries.js';
import type { FollowUpClosing } from './follow-ups.queries.js';
import { findFollowUp } from './follow-ups.queries.js';
import { findPlan } from './plans.queries.js';
import { findTemplate, listTemplates } from './templates.queries.js';
import { loadWorkspace, parseCounsellorChoice } from './workspace.js';
import { workspaceFirms } from './workspace.queries.js';

const APPLY_LIMIT = 200;

/** Where to go after a write: the form's `next` (a same-origin path) or the fallback. */
const nextOf = (req: Request, fallback: string) => safeReturnPath(str((req.body as Record<string, unknown>).next)) ?? fallback;

export function coachingRouter(db: Knex, coaching: CoachingService): Router {
  const router = express.Router();

  router.get('/coaching', async (req, res) => {
    const actor = actorOfResponse(res);
    const today = todayInShanghai();
    const choice = parseCounsellorChoice(str(req.query.counsellor), actor);
    const workspace = await loadWorkspace(db, actor, choice, today);
    renderPageOrFragment(req, res, 'coaching/index', 'coaching/workspace', {
      title: '辅导工作台',
      nav: 'coaching',
      today,
      ...workspace,
      isCounsellor: actor.role === 'counsellor',
      canWrite: can(actor, 'coaching.write'),
      canAssign: can(actor, 'coaching.assign'),
      canConfigure: can(actor, 'coaching.configure'),
      here: req.originalUrl.slice(0, 300),
    });
  });

  // ── Interactions ───────────────────────────────────────────────────────────
  const interactionForm = async (req: Request, res: Response, values: ReturnType<typeof interactionValues>, errors: Record<string, string>, status = 200) => {
    const actor = actorOfResponse(res);
    // The firms offered: the ones asked for, plus the actor's own (a counsellor) or the chosen counsellor's.
    const choice = actor.role === 'counsellor' ? actor.id : parseCounsellorChoice(str(req.query.counsellor) || 'none', actor);
    const offered = choice === null && actor.role !== 'counsellor' ? [] : (await workspaceFirms(db, { counsellor: choice, actor, limit: INTERACTION_LIMITS.firms })).firms;
    const asked = values.firms.filter((u) => !offered.some((f) => f.uscc === u));
    const askedFirms = [];
    for (const uscc of asked.slice(0, INTERACTION_LIMITS.firms)) {
      const firm = await findFirmInScope(db, uscc, actor);
      askedFirms.push({ uscc: firm.uscc, name: firm.name, stage: firm.stage, parkName: firm.parkName, canWrite: mayWriteCoaching(actor, firm) });
    }
    const firms = [...askedFirms, ...offered.map((f) => ({ uscc: f.uscc, name: f.name, stage: f.stage, parkName: f.parkName, canWrite: mayWriteCoaching(actor, f) }))].map((f) => ({
      ...f,
      checked: values.firms.includes(f.uscc),
    }));
    renderPageOrFragment(req, res, 'coaching/interaction-new', 'coaching/interaction-form', {
      title: '记录辅导',
      nav: 'coaching',
      values,
      errors,
      firms,
      channels: CHANNELS.filter((c) => MANUAL_CHANNELS.includes(c.key)),
      topics: TOPICS,
      counsellors: await listCounsellors(db),
      isCounsellor: actor.role === 'counsellor',
      limits: INTERACTION_LIMITS,
      next: safeReturnPath(str((req.body as Record<string, unknown> | undefined)?.next ?? req.query.next)) ?? '',
      today: todayInShanghai(),
    }, status);
  };

  router.get('/coaching/interactions/new', requirePermission('coaching.write'), async (req, res) => {
    const values = interactionValues({ firm: req.query.firm, occurredOn: todayInShanghai(), reached: 'yes', channel: 'visit' });
    await interactionForm(req, res, values, {});
  });

  router.post('/coaching/interactions', requirePermission('coaching.write'), async (req, res) => {
    const values = interactionValues(req.body as Record<string, unknown>);
    const parsed = parseInteraction(values);
    if (!parsed.ok) return interactionForm(req, res, values, parsed.errors, 422);
    try {
      const { interactionId, firms } = await coaching.recordInteraction(db, parsed.input, writeContext(req, res));
      const follow = parsed.input.next.kind === 'follow_up' ? `，下一步“${parsed.input.next.title}”已加入跟进（${parsed.input.next.dueOn} 前）` : '';
      // A demand raised in the visit is collected with it (one firm; for several, from each firm's timeline).
      const collect = firms.length === 1 ? { href: `/firms/${firms[0]!.uscc}/demands/new?interaction=${interactionId}`, label: '登记技术需求' } : undefined;
      setFlash(req, 'success', `已记录辅导：${firms.length === 1 ? firms[0]!.name : `${firms.length} 家企业（可在各企业的辅导记录中登记技术需求）`}${follow}。`, collect);
      redirectAfterWrite(req, res, nextOf(req, firms.length === 1 ? `/firms/${firms[0]!.uscc}#coaching` : '/coaching'));
    } catch (err) {
      if (err instanceof ValidationError) return interactionForm(req, res, values, err.fieldErrors, 422);
      throw err;
    }
  });

  // ── Follow-ups ─────────────────────────────────────────────────────────────
  const closeRoute = (kind: 'done' | 'cancel') =>
    router.post(`/coaching/follow-ups/:id/${kind}`, requirePermission('coaching.write'), async (req, res) => {
      const body = req.body as Record<string, unknown>;
      const id = positiveInt(req.params.id);
      const version = positiveInt(body.version);
      if (id === null) throw new BadRequestError('BAD_ID', '跟进事项编号无效。');
      if (version === null) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
      const values = { doneOn: str(body.doneOn), result: str(body.result), reason: str(body.reason) };
      const closing: FollowUpClosing = kind === 'done' ? { status: 'done', doneOn: values.doneOn, result: values.result } : { status: 'cancelled', reason: values.reason };
      const actor = actorOfResponse(res);
      const answer = async (status: number, errors: Record<string, string>, message: string | null) => {
        const fresh = await findFollowUp(db, id);
        if (!fresh) throw new BadRequestError('BAD_ID', '跟进事项编号无效。');
        const item = { ...fresh, firmUscc: str(body.firm), canWrite: true };
        renderPageOrFragment(req, res, 'coaching/follow-up-page', 'coaching/follow-up', {
          title: '处理跟进事项',
          nav: 'coaching',
          item,
          errors,
          values,
          open: kind,
          message,
          next: nextOf(req, ''),
          today: todayInShanghai(),
          limits: FOLLOW_UP_LIMITS,
          actor,
        }, status);
      };
      try {
        const { followUp, firm } = await coaching.closeFollowUp(db, id, version, closing, writeContext(req, res));
        setFlash(req, 'success', `${firm.name}：“${followUp.title}”${kind === 'done' ? '已完成' : '已取消'}。`);
        redirectAfterWrite(req, res, nextOf(req, `/firms/${firm.uscc}#coaching`));
      } catch (err) {
        if (err instanceof ValidationError) return answer(422, err.fieldErrors, null);
        if (err instanceof StaleFollowUpError) return answer(409, {}, err.message);
        throw err;
      }
    });
  closeRoute('done');
  closeRoute('cancel');

  /**
   * One open follow-up's closing forms: the queue fetches them when 办结… is opened (listing a
   * hundred items of each state with two forms each made the workspace half a megabyte); without
   * script its link opens them here as a page. `next` is where the forms return after closing.
   */
  router.get('/coaching/follow-ups/:id', requirePermission('coaching.write'), async (req, res) => {
    const actor = actorOfResponse(res);
    const id = positiveInt(req.params.id);
    const followUp = id === null ? null : await findFollowUp(db, id);
    const [firm] = followUp ? await findFirmsById(db, [followUp.firmId]) : [];
    if (!followUp || !firm || !coversFirm(actor, firm)) throw new NotFoundError('FOLLOW_UP_NOT_FOUND', '找不到这个跟进事项（编号不存在，或不在你负责的范围）。');
    if (!mayWriteCoaching(actor, firm)) throw new ForbiddenError('COACHING_FORBIDDEN', '你不能处理这家企业的跟进事项。');
    const next = safeReturnPath(str(req.query.next)) ?? `/firms/${firm.uscc}#coaching`;
    renderPageOrFragment(req, res, 'coaching/follow-up-page', 'coaching/follow-up-forms', {
      title: '处理跟进事项',
      nav: 'coaching',
      item: { ...followUp, firmUscc: firm.uscc, firmName: firm.name, canWrite: true },
      errors: {},
      values: {},
      open: true,
      showFirm: true,
      message: null,
      next,
      today: todayInShanghai(),
      limits: FOLLOW_UP_LIMITS,
      actor,
    });
  });

  // ── The firm's plan (lifecycle, goals, target) ─────────────────────────────
  const planForm = async (req: Request, res: Response, uscc: string, values: ReturnType<typeof planValues> | null, errors: Record<string, string>, status = 200, conflict = false) => {
    const actor = actorOfResponse(res);
    const firm = await findFirmInScope(db, uscc, actor);
    if (!mayWriteCoaching(actor, firm)) throw new ForbiddenError('COACHING_FORBIDDEN', '你不能修改这家企业的辅导方案。');
    const plan = await findPlan(db, firm.id);
    const shown = values ?? { lifecycle: firm.lifecycle ?? '', goals: plan?.goals ?? '', targetCertification: plan?.targetCertification ?? '', targetYear: plan?.targetYear ? String(plan.targetYear) : '' };
    const year = Number(todayInShanghai().slice(0, 4));
    renderPageOrFragment(req, res, 'coaching/plan-edit', 'coaching/plan-form', {
      title: `辅导方案 · ${firm.name}`,
      nav: 'coaching',
      firm,
      plan,
      values: shown,
      errors,
      conflict,
      firmVersion: firm.version,
      planVersion: plan?.version ?? '',
      lifecycles: LIFECYCLES,
      canSetLifecycle: can(actor, 'firms.lifecycle'),
      certifications: TARGET_CERTIFICATIONS,
      years: Array.from({ length: 7 }, (_, i) => year - 1 + i),
      limits: PLAN_LIMITS,
    }, status);
  };

  router.get('/firms/:uscc/coaching/plan', requirePermission('coaching.write'), async (req, res) => {
    await planForm(req, res, normalizeUscc(String(req.params.uscc)), null, {});
  });

  router.post('/firms/:uscc/coaching/plan', requirePermission('coaching.write'), async (req, res) => {
    const uscc = normalizeUscc(String(req.params.uscc));
    const body = req.body as Record<string, unknown>;
    const values = planValues(body);
    const firmVersion = positiveInt(body.firmVersion);
    const planVersion = str(body.planVersion) === '' ? null : positiveInt(body.planVersion);
    if (firmVersion === null) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
    const parsed = parsePlan(values, todayInShanghai());
    if (!parsed.ok) return planForm(req, res, uscc, values, parsed.errors, 422);
    try {
      const { changed } = await coaching.savePlan(db, uscc, { lifecycle: parsed.lifecycle, plan: parsed.plan, firmVersion, planVersion }, writeContext(req, res));
      setFlash(req, changed ? 'success' : 'info', changed ? '已保存辅导方案。' : '没有修改：内容与保存前相同。');
      redirectAfterWrite(req, res, `/firms/${uscc}#coaching`);
    } catch (err) {
      if (err instanceof ValidationError) return planForm(req, res, uscc, values, err.fieldErrors, 422);
      if (err instanceof StalePlanError) return planForm(req, res, uscc, values, {}, 409, true);
      throw err;
    }
  });

  // ── Assigning counsellors (one firm, or many from a list) ─────────────────
  router.post('/coaching/assign', requirePermission('coaching.assign'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const actor = actorOfResponse(res);
    const raw = str(body.counsellorId);
    const counsellorId = raw === '' || raw === 'none' ? null : positiveInt(raw);
    if (raw !== '' && raw !== 'none' && counsellorId === null) throw new ValidationError({ counsellorId: '请选择列表中的辅导员。' }, '请选择列表中的辅导员。');
    if (raw === '') throw new ValidationError({ counsellorId: '请选择要指派的辅导员（或“取消指派”）。' }, '请选择要指派的辅导员（或“取消指派”）。');
    let usccs = firmCodes(body.firm);
    // "All that match the filter": the board's or the list's filters, carried as hidden fields.
    if (str(body.scope) === 'filter') {
      const filters = parseFirmFilters(body);
      usccs = (await firmsMatching(db, filters, actor, 1001)).map((f) => f.uscc);
      if (usccs.length > 1000) throw new ValidationError({ firms: '符合筛选条件的企业超过 1000 家，请缩小筛选范围后再批量指派。' }, '符合筛选条件的企业超过 1000 家，请缩小筛选范围后再批量指派。');
    }
    if (!usccs.length) throw new ValidationError({ firms: '请至少选择一家企业。' }, '请至少选择一家企业。');
    const version = usccs.length === 1 ? positiveInt(body.version) : null;
    try {
      const { changed, firms } = await coaching.assignCounsellor(db, usccs, counsellorId, writeContext(req, res), version);
      setFlash(req, changed ? 'success' : 'info', changed ? `已为 ${changed} 家企业${counsellorId === null ? '取消指派辅导员' : '指派辅导员'}。` : '没有修改：所选企业已是该辅导员。');
      redirectAfterWrite(req, res, nextOf(req, firms.length === 1 ? `/firms/${firms[0]!.uscc}#coaching` : '/coaching'));
    } catch (err) {
      if (err instanceof StalePlanError) {
        const fresh = await findFirmInScope(db, err.firm.uscc, actor);
        throw new ConflictError('FIRM_STALE', `这家企业刚被他人修改过（现在是第 ${fresh.version} 版，辅导员：${fresh.counsellorName ?? '未指派'}）。请刷新页面确认后再指派。`);
      }
      throw err;
    }
  });

  // ── Applying a template to one firm or many (from a filtered list) ────────
  const applyPage = async (req: Request, res: Response, values: { templateId: string; startOn: string; firms: string[] }, errors: Record<string, string>, status = 200) => {
    const actor = actorOfResponse(res);
    const source = status === 200 ? (req.query as Record<string, unknown>) : (req.body as Record<string, unknown>);
    const filters = pickFilters(parseFirmFilters(source), ['park', 'town', 'field', 'counsellor', 'lifecycle', 'stage', 'q']);
    if (actor.role === 'counsellor') filters.counsellor = actor.id;
    const [templates, options, matching] = await Promise.all([listTemplates(db, { activeOnly: true }), loadFilterOptions(db, actor), firmsMatching(db, filters, actor, APPLY_LIMIT + 1)]);
    const writable = matching.slice(0, APPLY_LIMIT).filter((f) => mayWriteCoaching(actor, f));
    const template = templates.find((t) => String(t.id) === values.templateId) ?? templates.find((t) => t.lifecycle === filters.lifecycle) ?? templates[0] ?? null;
    const preview = template && /^\d{4}-\d{2}-\d{2}$/.test(values.startOn) ? templateDueDates(template.steps, values.startOn) : [];
    const picked = status === 200 ? new Set(writable.map((f) => f.uscc)) : new Set(values.firms);
    renderPageOrFragment(req, res, 'coaching/apply', 'coaching/apply-form', {
      title: '应用辅导方案模板',
      nav: 'coaching',
      templates: templates.map((t) => ({ ...t, selected: t.id === template?.id })),
      template,
      preview,
      values,
      errors,
      filters,
      options,
      firms: writable.map((f) => ({ ...f, checked: picked.has(f.uscc) })),
      truncated: matching.length > APPLY_LIMIT,
      limit: APPLY_LIMIT,
      isCounsellor: actor.role === 'counsellor',
    }, status);
  };

  router.get('/coaching/apply', requirePermission('coaching.write'), async (req, res) => {
    await applyPage(req, res, { templateId: str(req.query.templateId), startOn: str(req.query.startOn) || todayInShanghai(), firms: [] }, {});
  });

  router.post('/coaching/apply', requirePermission('coaching.write'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const values = { templateId: str(body.templateId), startOn: str(body.startOn), firms: firmCodes(body.firm) };
    const templateId = positiveInt(values.templateId);
    const errors: Record<string, string> = {};
    if (templateId === null) errors.templateId = '请选择方案模板。';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.startOn)) errors.startOn = '请填写起始日期（YYYY-MM-DD）。';
    if (!values.firms.length) errors.firms = '请至少选择一家企业。';
    if (values.firms.length > APPLY_LIMIT) errors.firms = `一次最多为 ${APPLY_LIMIT} 家企业应用模板。`;
    if (Object.keys(errors).length) return applyPage(req, res, values, errors, 422);
    try {
      const { applied, skipped, created } = await coaching.applyTemplate(db, templateId!, values.firms, values.startOn, writeContext(req, res));
      const skippedText = skipped.length ? `；${skipped.length} 家已有该模板未完成的跟进事项，未重复添加` : '';
      setFlash(req, applied.length ? 'success' : 'info', `已为 ${applied.length} 家企业应用模板，新增 ${created} 条跟进事项${skippedText}。`);
      redirectAfterWrite(req, res, nextOf(req, values.firms.length === 1 ? `/firms/${values.firms[0]}#coaching` : '/coaching'));
    } catch (err) {
      if (err instanceof ValidationError) return applyPage(req, res, values, err.fieldErrors, 422);
      throw err;
    }
  });

  // ── Templates (administrators) ─────────────────────────────────────────────
  const templatesPage = async (req: Request, res: Response, edit: { id: number | null; values: ReturnType<typeof templateValues>; errors: Record<string, string>; conflict?: boolean } | null, status = 200) => {
    const templates = await listTemplates(db);
    renderPageOrFragment(req, res, 'coaching/templates', 'coaching/templates-list', {
      title: '辅导方案模板',
      nav: 'coaching',
      templates: templates.map((t) => {
        const mine = edit && edit.id === t.id ? edit : null;
        return { ...t, stepsText: mine ? mine.values.steps : formatTemplateSteps(t.steps), values: mine?.values ?? { lifecycle: t.lifecycle, name: t.name, isActive: t.isActive }, errors: mine?.errors ?? {}, conflict: mine?.conflict ?? false, open: !!mine };
      }),
      newValues: edit && edit.id === null ? edit.values : { lifecycle: 'growth', name: '', steps: '+0 走访\n+30 知识产权梳理\n+60 研发费用归集辅导', isActive: true },
      newErrors: edit && edit.id === null ? edit.errors : {},
      lifecycles: LIFECYCLES,
      limits: TEMPLATE_LIMITS,
    }, status);
  };

  router.get('/coaching/templates', requirePermission('coaching.configure'), async (req, res) => templatesPage(req, res, null));

  router.post('/coaching/templates', requirePermission('coaching.configure'), async (req, res) => {
    const values = templateValues(req.body as Record<string, unknown>);
    const parsed = parseTemplate(values);
    if (!parsed.ok) return templatesPage(req, res, { id: null, values, errors: parsed.errors }, 422);
    await coaching.createTemplate(db, parsed.template, writeContext(req, res));
    setFlash(req, 'success', `已新增模板“${parsed.template.name}”。`);
    redirectAfterWrite(req, res, '/coaching/templates');
  });

  router.post('/coaching/templates/:id', requirePermission('coaching.configure'), async (req, res) => {
    const id = positiveInt(req.params.id);
    const body = req.body as Record<string, unknown>;
    const version = positiveInt(body.version);
    if (id === null || !(await findTemplate(db, id))) throw new ValidationError({}, '找不到这个方案模板。');
    if (version === null) throw new BadRequestError('BAD_VERSION', '缺少版本号（version），请刷新页面后重试。');
    const values = templateValues(body);
    const parsed = parseTemplate(values);
    if (!parsed.ok) return templatesPage(req, res, { id, values, errors: parsed.errors }, 422);
    try {
      const { changed } = await coaching.updateTemplate(db, id, version, parsed.template, writeContext(req, res));
      if (changed) setFlash(req, 'success', `已保存模板“${parsed.template.name}”。`);
      else setFlash(req, 'info', `没有修改：模板“${parsed.template.name}”与保存前相同。`);
      redirectAfterWrite(req, res, '/coaching/templates');
    } catch (err) {
      if (err instanceof StaleTemplateError) return templatesPage(req, res, { id, values, errors: {}, conflict: true }, 409);
      throw err;
    }
  });

  // ── "No successful contact in N days" thresholds (administrators) ──────────
  const settingsPage = async (req: Request, res: Response, values: Record<string, string> | null, errors: Record<string, string>, status = 200) => {
    const days = await contactDaysByStage(db);
    renderPageOrFragment(req, res, 'coaching/settings', 'coaching/settings-form', {
      title: '未联系提醒设置',
      nav: 'coaching',
      rules: CONTACT_RULE_STAGES.map((stage) => ({ stage, label: stageLabel(stage), value: values?.[stage] ?? String(days.get(stage)), error: errors[stage] })),
      limits: CONTACT_DAYS_LIMITS,
      hasErrors: Object.keys(errors).length > 0,
    }, status);
  };

  router.get('/coaching/settings', requirePermission('coaching.configure'), async (req, res) => settingsPage(req, res, null, {}));

  router.post('/coaching/settings', requirePermission('coaching.configure'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const values: Record<string, string> = {};
    const days = new Map<StageKey, number>();
    const errors: Record<string, string> = {};
    for (const stage of CONTACT_RULE_STAGES) {
      values[stage] = str(body[stage]);
      if (!/^\d{1,4}$/.test(values[stage])) errors[stage] = `请填写 ${CONTACT_DAYS_LIMITS.min}–${CONTACT_DAYS_LIMITS.max} 之间的天数。`;
      else days.set(stage, Number(values[stage]));
    }
    if (Object.keys(errors).length) return settingsPage(req, res, values, errors, 422);
    try {
      const { changed } = await coaching.saveContactDays(db, days, await contactDaysByStage(db), writeContext(req, res));
      setFlash(req, changed ? 'success' : 'info', changed ? '已保存未联系提醒天数，所有页面按新天数计算。' : '没有修改。');
      redirectAfterWrite(req, res, '/coaching/settings');
    } catch (err) {
      if (err instanceof ValidationError) return settingsPage(req, res, values, err.fieldErrors, 422);
      throw err;
    }
  });

  return router;
}
