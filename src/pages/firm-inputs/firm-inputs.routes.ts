/** GET /firms/:uscc/inputs — the firm's eligibility inputs page; also renders it for refused forms of the input features. */
import express, { type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { can } from '../../domain/permissions.js';
import { normalizeUscc } from '../../domain/uscc.js';
import type { InputsFormState } from '../../features/eligibility/input-writes.js';
import type { Firm } from '../../features/firms/firms.queries.js';
import { todayInShanghai, yearOf } from '../../lib/dates.js';
import { actorOfResponse } from '../../web/auth.js';
import { positiveInt } from '../../web/forms.js';
import { loadInputsPage } from './firm-inputs.js';

async function render(db: Knex, res: Response, uscc: string, year: number | null, state: InputsFormState | null, status: number) {
  const actor = actorOfResponse(res);
  const page = await loadInputsPage(db, uscc, actor, todayInShanghai(), year, state);
  res.status(status).render('firms/inputs', { title: `${page.firm.name} 认定数据`, nav: 'firms', ...page, canEdit: can(actor, 'inputs.edit'), state });
}

/** For the input features' routes: the page with a refused form kept as typed (its year from the form's key). */
export function inputsPageRenderer(db: Knex) {
  return async (res: Response, firm: Firm, state: InputsFormState | null, status: number) => {
    const m = state ? /-(\d{4})$/.exec(state.form) : null;
    await render(db, res, firm.uscc, m ? Number(m[1]) : null, state, status);
  };
}

export function firmInputsRouter(db: Knex): Router {
  const router = express.Router();
  router.get('/firms/:uscc/inputs', async (req, res) => {
    const year = positiveInt(req.query.year);
    const current = yearOf(todayInShanghai());
    await render(db, res, normalizeUscc(String(req.params.uscc)), year && year >= 2000 && year <= current ? year : null, null, 200);
  });
  return router;
}
