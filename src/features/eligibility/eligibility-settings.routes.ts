/**
 * POST /firms/:uscc/tsme-option — the firm's chosen tech-SME 研发投入 option (第七条2), audited, verdicts refreshed;
 * the choice already stored is not written again.
 */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { TsmeRdOption } from '../../domain/eligibility/index.js';
import { normalizeUscc } from '../../domain/uscc.js';
import { ConflictError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { appendAudit } from '../audit/audit.queries.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import { versionOf } from '../../web/forms.js';
import { saveSettings, settingsOfFirms } from './eligibility-settings.queries.js';
import { type EligibilityRefresh, type InputsPageRenderer, UNCHANGED, type Unchanged, typedValues, writeFirmInput } from './input-writes.js';

export const TSME_RD_OPTIONS: Readonly<Record<TsmeRdOption, string>> = {
  sales: '（1）研发费用总额／销售收入总额',
  cost: '（2）研发费用总额／成本费用支出总额',
};
const STALE = '研发投入评分选项刚被他人修改过，请刷新页面核对后再保存。';

export function eligibilitySettingsRouter(db: Knex, refreshEligibility: EligibilityRefresh, renderInputs: InputsPageRenderer): Router {
  const router = express.Router();
  router.post('/firms/:uscc/tsme-option', requirePermission('inputs.edit'), async (req, res) => {
    const firm = await findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actorOfResponse(res));
    const body = req.body as Record<string, unknown>;
    const version = versionOf(body);
    const values = typedValues(body);
    const raw = values.option ?? '';
    if (raw !== '' && !(raw in TSME_RD_OPTIONS)) {
      return renderInputs(res, firm, { form: 'tsme-option', values, errors: { option: '请选择（1）、（2）或“未选择”。' }, message: '未保存。' }, 422);
    }
    const option = raw === '' ? null : (raw as TsmeRdOption);
    const ctx = writeContext(req, res);
    let result: null | Unchanged;
    try {
      result = await writeFirmInput(db, firm, ctx, refreshEligibility, async (trx, at) => {
        const before = (await settingsOfFirms(trx, [firm.id])).get(firm.id) ?? null;
        // The same choice again (or still none): nothing to record. The version check still applies.
        if (before ? before.version === version && before.tsmeRdOption === option : version === 0 && option === null) return UNCHANGED;
        if ((version === 0) !== (before === null) || !(await saveSettings(trx, firm.id, version, option, at))) throw new ConflictError('SETTINGS_STALE', STALE);
        await appendAudit(trx, ctx, { action: 'eligibility.tsme_option', objectType: 'firm', objectId: firm.uscc, before: { tsmeRdOption: before?.tsmeRdOption ?? null }, after: { tsmeRdOption: option } }, at);
        return null;
      });
    } catch (err) {
      if (err instanceof ConflictError || isUniqueViolation(err)) return renderInputs(res, firm, { form: 'tsme-option', values, errors: {}, message: STALE }, 409);
      throw err;
    }
    if (result === UNCHANGED) setFlash(req, 'info', '没有修改：评分选项与保存前相同。');
    else setFlash(req, 'success', option ? `已登记：科技型中小企业研发投入按${TSME_RD_OPTIONS[option]}评分。` : '已改为未选择（默认取较高者）。');
    res.redirect(303, `/firms/${firm.uscc}/inputs#tsme-option`);
  });
  return router;
}
