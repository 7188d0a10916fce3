/** POST /firms/:uscc/staff/:year — a year of staff by month, saved whole; refusals keep the form as typed. */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { normalizeUscc } from '../../domain/uscc.js';
import { AppError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { inputYear, versionOf } from '../../web/forms.js';
import { type InputsPageRenderer, typedValues } from '../eligibility/input-writes.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import type { Firm } from '../firms/firms.queries.js';
import { parseStaffForm } from './staff-months-form.js';
import type { StaffMonthsService } from './staff-months.service.js';

export function staffMonthsRouter(db: Knex, staff: StaffMonthsService, renderInputs: InputsPageRenderer): Router {
  const router = express.Router();
  const loadFirm = (req: Request, res: Response): Promise<Firm> => findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actorOfResponse(res));

  router.post('/firms/:uscc/staff/:year', requirePermission('inputs.edit'), async (req, res) => {
    const firm = await loadFirm(req, res);
    const year = inputYear(req.params.year);
    const body = req.body as Record<string, unknown>;
    const version = versionOf(body);
    const values = typedValues(body);
    const state = (errors: Record<string, string>, message?: string) => ({ form: `staff-${year}`, values, errors, ...(message ? { message } : {}) });
    if (values.delete === 'yes') {
      try {
        await staff.deleteYear(db, firm, year, version, writeContext(req, res));
      } catch (err) {
        if (err instanceof AppError && err.status === 409) return renderInputs(res, firm, state({}, err.message), 409);
        throw err;
      }
      setFlash(req, 'success', `已删除 ${year} 年月度人数，改按年度指标中的人数计算。`);
      return res.redirect(303, `/firms/${firm.uscc}/inputs?year=${year}#staff`);
    }
    const parsed = parseStaffForm(year, values);
    if (!parsed.ok) return renderInputs(res, firm, state(parsed.errors, '月度人数有误，未保存。请修改标出的内容。'), 422);
    let changed: boolean;
    try {
      ({ changed } = await staff.saveYear(db, firm, version, parsed.value, writeContext(req, res)));
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return renderInputs(res, firm, state({}, err.message), 409);
      throw err;
    }
    if (changed) setFlash(req, 'success', `已保存 ${year} 年月度人数。`);
    else setFlash(req, 'info', `没有修改：${year} 年月度人数与保存前相同，未记录新版本。`);
    res.redirect(303, `/firms/${firm.uscc}/inputs?year=${year}#staff`);
  });

  return router;
}
