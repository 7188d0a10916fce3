/** /firms/:uscc/compliance/… — penalties and incidents, list entries, the check of the public records. */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { normalizeUscc } from '../../domain/uscc.js';
import { todayInShanghai } from '../../lib/dates.js';
import { AppError } from '../../lib/errors.js';
import { actorOfResponse, requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt, versionOf } from '../../web/forms.js';
import { type InputsFormState, type InputsPageRenderer, typedValues } from '../eligibility/input-writes.js';
import { findFirmInScope } from '../firms/firm-scope.js';
import type { Firm } from '../firms/firms.queries.js';
import { parseCheckForm, parseEventForm, parseListingForm } from './compliance-form.js';
import type { ComplianceService } from './compliance.service.js';

export function complianceRouter(db: Knex, compliance: ComplianceService, renderInputs: InputsPageRenderer): Router {
  const router = express.Router();
  router.use('/firms/:uscc/compliance', requirePermission('inputs.edit'));
  const loadFirm = (req: Request, res: Response): Promise<Firm> => findFirmInScope(db, normalizeUscc(String(req.params.uscc)), actorOfResponse(res));
  /** What a write says: what it saved, or (`unchanged`) that the form held what was stored. */
  type Outcome = string | { unchanged: string };
  const done = (req: Request, res: Response, firm: Firm, outcome: Outcome) => {
    if (typeof outcome === 'string') setFlash(req, 'success', outcome);
    else setFlash(req, 'info', outcome.unchanged);
    res.redirect(303, `/firms/${firm.uscc}/inputs#compliance`);
  };
  /** Parse, write, answer: 422 with the form as typed, 409/404 with the message on the page. */
  async function handle<T>(req: Request, res: Response, form: string, parse: (values: Record<string, string>) => { ok: true; value: T } | { ok: false; errors: Record<string, string> }, write: (firm: Firm, value: T) => Promise<Outcome>) {
    const firm = await loadFirm(req, res);
    const values = typedValues(req.body as Record<string, unknown>);
    const refuse = (state: InputsFormState, status: number) => renderInputs(res, firm, state, status);
    const parsed = parse(values);
    if (!parsed.ok) return refuse({ form, values, errors: parsed.errors, message: '内容有误，未保存。请修改标出的内容。' }, 422);
    try {
      return done(req, res, firm, await write(firm, parsed.value));
    } catch (err) {
      if (err instanceof AppError && (err.status === 409 || err.status === 404) && err.code !== 'FIRM_NOT_FOUND') return refuse({ form, values, errors: {}, message: err.message }, err.status);
      throw err;
    }
  }

  router.post('/firms/:uscc/compliance/events', (req, res) =>
    handle(req, res, 'event', (v) => parseEventForm(v, todayInShanghai()), async (firm, e) => {
      await compliance.addEvent(db, firm, e, writeContext(req, res));
      return `已记录 ${e.date} 的事件。`;
    }));
  router.post('/firms/:uscc/compliance/events/:id/delete', (req, res) =>
    handle(req, res, 'event', () => ({ ok: true, value: positiveInt(req.params.id) ?? 0 }), async (firm, id) => {
      await compliance.removeEvent(db, firm, id, writeContext(req, res));
      return '已删除该事件记录。';
    }));
  router.post('/firms/:uscc/compliance/listings', (req, res) =>
    handle(req, res, 'listing', (v) => parseListingForm(v, todayInShanghai()), async (firm, l) => {
      await compliance.addListing(db, firm, l, writeContext(req, res));
      return '已记录名单情况。';
    }));
  router.post('/firms/:uscc/compliance/listings/:id/delete', (req, res) =>
    handle(req, res, 'listing', () => ({ ok: true, value: positiveInt(req.params.id) ?? 0 }), async (firm, id) => {
      await compliance.removeListing(db, firm, id, writeContext(req, res));
      return '已删除该名单记录。';
    }));
  router.post('/firms/:uscc/compliance/check', (req, res) => {
    const version = versionOf(req.body as Record<string, unknown>);
    return handle(req, res, 'check', (v) => parseCheckForm(v, todayInShanghai()), async (firm, v) => {
      const { changed } = await compliance.setCheck(db, firm, version, v, writeContext(req, res));
      return changed ? `已记录核查日期 ${v.checkedOn}。` : { unchanged: '没有修改：核查日期和来源与保存前相同，未记录新版本。' };
    });
  });
  return router;
}
