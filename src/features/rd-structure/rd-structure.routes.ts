/**
 * POST /firms/:uscc/rd/:year — a year's R&D expense structure, saved whole; POST /firms/:uscc/rd/:year/projects
 * (add) and /firms/:uscc/rd/:year/projects/:id (change, or delete=yes) — its R&D projects. Refusals keep the form
 * as typed.
 */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { normalizeUscc } from '../../domain/uscc.js';
import { AppError, ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt } from '../../web/forms.js';
import { type InputsPageRenderer, typedValues } from '../eligibility/input-writes.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import { inputYear, versionOf } from '../../web/forms.js';
import { parseRdForm, parseRdProjectForm } from './rd-structure-form.js';
import type { RdStructureService } from './rd-structure.service.js';

export function rdStructureRouter(db: Knex, rd: RdStructureService, renderInputs: InputsPageRenderer): Router {
  const router = express.Router();
  router.post('/firms/:uscc/rd/:year', requirePermission('inputs.edit'), async (req, res) => {
    const firm = await findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actorOfResponse(res));
    const year = inputYear(req.params.year);
    const body = req.body as Record<string, unknown>;
    const version = versionOf(body);
    const values = typedValues(body);
    const state = (errors: Record<string, string>, message: string) => ({ form: `rd-${year}`, values, errors, message });
    try {
      if (values.delete === 'yes') {
        await rd.deleteYear(db, firm, year, version, writeContext(req, res));
        setFlash(req, 'success', `已删除 ${year} 年研发费用结构，改按年度指标中录入的研发费用计算。`);
        return res.redirect(303, `/firms/${firm.uscc}/inputs?year=${year}#rd`);
      }
      const parsed = parseRdForm(year, values);
      if (!parsed.ok) return renderInputs(res, firm, state(parsed.errors, '研发费用结构有误，未保存。请修改标出的内容。'), 422);
      const { changed } = await rd.saveYear(db, firm, version, parsed.value, parsed.typedTotal, writeContext(req, res));
      if (changed) setFlash(req, 'success', `已保存 ${year} 年研发费用结构。`);
      else setFlash(req, 'info', `没有修改：${year} 年研发费用结构与保存前相同，未记录新版本。`);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return renderInputs(res, firm, state({}, err.message), 409);
      throw err;
    }
    res.redirect(303, `/firms/${firm.uscc}/inputs?year=${year}#rd`);
  });

  const projectRoute = (path: string) =>
    router.post(path, requirePermission('inputs.edit'), async (req, res) => {
      const firm = await findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actorOfResponse(res));
      const year = inputYear(req.params.year);
      const id = req.params.id === undefined ? null : (positiveInt(req.params.id) ?? 0);
      const body = req.body as Record<string, unknown>;
      const version = versionOf(body);
      const values = typedValues(body);
      const form = `rdp-${id ?? 'new'}-${year}`;
      const back = `/firms/${firm.uscc}/inputs?year=${year}#rd-projects`;
      try {
        if (id !== null && values.delete === 'yes') {
          const { remaining } = await rd.deleteProject(db, firm, year, id, version, writeContext(req, res));
          setFlash(req, 'success', remaining ? `已删除该研发项目，${year} 年研发费用结构按其余 ${remaining} 个项目合计。` : `已删除该研发项目；${year} 年已无研发项目，也不再有研发费用结构。`);
          return res.redirect(303, back);
        }
        const parsed = parseRdProjectForm(values, new Set());
        if (!parsed.ok) return renderInputs(res, firm, { form, values, errors: parsed.errors, message: '研发项目有误，未保存。请修改标出的内容。' }, 422);
        const { changed } = await rd.saveProject(db, firm, year, id, version, parsed.value, writeContext(req, res));
        if (changed) setFlash(req, 'success', `已保存研发项目 ${parsed.value.code}，${year} 年研发费用结构按各项目合计。`);
        else setFlash(req, 'info', `没有修改：研发项目 ${parsed.value.code} 与保存前相同，未记录新版本。`);
      } catch (err) {
        if (err instanceof ValidationError) return renderInputs(res, firm, { form, values, errors: err.fieldErrors, message: err.message }, 422);
        if (err instanceof AppError && err.status === 409) return renderInputs(res, firm, { form, values, errors: {}, message: err.message }, 409);
        throw err;
      }
      res.redirect(303, back);
    });
  projectRoute('/firms/:uscc/rd/:year/projects');
  projectRoute('/firms/:uscc/rd/:year/projects/:id');
  return router;
}
