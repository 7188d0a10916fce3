/** /firms/:uscc/ip — add an IP item (form key), remove one (version). Refusals keep the form as typed. */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai } from '../../lib/dates.js';
import { AppError, ValidationError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt, versionOf } from '../../web/forms.js';
import { type InputsPageRenderer, typedValues } from '../eligibility/input-writes.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import type { Firm } from '../firms/firms.queries.js';
import { parseIpForm } from './ip-register-form.js';
import type { IpRegisterService } from './ip-register.service.js';

export function ipRegisterRouter(db: Knex, ip: IpRegisterService, renderInputs: InputsPageRenderer): Router {
  const router = express.Router();
  router.use('/firms/:uscc/ip', requirePermission('inputs.edit'));
  const loadFirm = (req: Request, res: Response): Promise<Firm> => findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actorOfResponse(res));

  router.post('/firms/:uscc/ip', async (req, res) => {
    const firm = await loadFirm(req, res);
    const values = typedValues(req.body as Record<string, unknown>);
    const parsed = parseIpForm(values, todayInShanghai());
    const refuse = (errors: Record<string, string>, message: string) => renderInputs(res, firm, { form: 'ip', values, errors, message }, 422);
    if (!parsed.ok) return refuse(parsed.errors, '知识产权信息有误，未保存。请修改标出的内容。');
    try {
      await ip.add(db, firm, parsed.value, parsed.numberKey, writeContext(req, res));
    } catch (err) {
      if (err instanceof ValidationError) return refuse(err.fieldErrors, '未保存。');
      throw err;
    }
    setFlash(req, 'success', `已登记 ${parsed.value.number}。`);
    res.redirect(303, `/firms/${firm.uscc}/inputs#ip`);
  });

  router.post('/firms/:uscc/ip/:id/delete', async (req, res) => {
    const firm = await loadFirm(req, res);
    const version = versionOf(req.body as Record<string, unknown>);
    try {
      await ip.remove(db, firm, positiveInt(req.params.id) ?? 0, version, writeContext(req, res));
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return renderInputs(res, firm, { form: 'ip-list', values: {}, errors: {}, message: err.message }, 409);
      throw err;
    }
    setFlash(req, 'success', '已删除该知识产权记录。');
    res.redirect(303, `/firms/${firm.uscc}/inputs#ip`);
  });
  return router;
}
