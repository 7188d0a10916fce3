/** /admin/parks: administrators keep the parks (园区/平台) and towns (街道/镇/乡) that firms and caseworkers belong to. */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { shanghaiDate } from '../../lib/dates.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { requirePermission, setFlash, writeContext } from '../../web/auth.js';
import { positiveInt, str } from '../../web/forms.js';
import { type AreaType, listAreasForAdmin } from './parks.queries.js';
import { AREA_KINDS, type ParkService } from './parks.service.js';

const SECTIONS: { type: AreaType; heading: string; hint: string }[] = [
  { type: 'town', heading: '镇街（属地）', hint: '企业所属的街道、镇、乡。业务员可以按镇街限定负责范围。' },
  { type: 'park', heading: '园区/平台', hint: '企业所在的园区、创新平台或孵化器（可以不在任何园区）。' },
];

function areaType(raw: unknown): AreaType {
  if (raw === 'park' || raw === 'town') return raw;
  throw new NotFoundError('AREA_NOT_FOUND', '找不到这个页面。');
}

/** Which form the errors belong to, so the page opens that one with the values typed. */
interface FormState {
  form: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}

export function parksRouter(db: Knex, parks: ParkService): Router {
  const router = express.Router();
  router.use('/admin/parks', requirePermission('parks.manage'));

  async function render(res: Response, state: FormState | null = null, status = 200) {
    const sections = await Promise.all(
      SECTIONS.map(async (s) => {
        const rows = await listAreasForAdmin(db, s.type);
        const nameOf = new Map(rows.map((r) => [r.id, r.name]));
        const kinds = AREA_KINDS[s.type];
        const active = rows.filter((r) => r.isActive);
        return {
          ...s,
          kinds: Object.entries(kinds).map(([key, label]) => ({ key, label })),
          rows: rows.map((r) => ({
            ...r,
            kindLabel: kinds[r.kind] ?? r.kind,
            mergedIntoName: r.mergedInto ? (nameOf.get(r.mergedInto) ?? null) : null,
            retiredOn: r.retiredAt ? shanghaiDate(r.retiredAt) : null,
            formerNames: r.formerNames.map((n) => ({ name: n.name, until: shanghaiDate(n.until) })),
            mergeTargets: active.filter((o) => o.id !== r.id),
            formKey: `${s.type}-${r.id}`,
          })),
        };
      }),
    );
    res.status(status).render('admin/parks', { title: '园区与镇街', nav: 'parks', sections, state });
  }

  router.get('/admin/parks', async (_req, res) => render(res));

  /** Runs a change; a refusal re-renders the page with the message at the form that was used. */
  async function attempt(req: Request, res: Response, form: string, run: () => Promise<string>) {
    try {
      const message = await run();
      setFlash(req, 'success', message);
      res.redirect(303, '/admin/parks');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const values = Object.fromEntries(Object.entries(req.body as Record<string, unknown>).filter(([k, v]) => k !== '_csrf' && typeof v === 'string')) as Record<string, string>;
      await render(res, { form, values, errors: err.fieldErrors }, 422);
    }
  }

  router.post('/admin/parks/:type', async (req, res) => {
    const type = areaType(req.params.type);
    const body = req.body as Record<string, unknown>;
    await attempt(req, res, `${type}-new`, async () => {
      const name = str(body.name);
      await parks.create(db, type, { name, kind: str(body.kind) }, writeContext(req, res));
      return `已新增“${name.trim()}”。`;
    });
  });

  router.post('/admin/parks/:type/:id/rename', async (req, res) => {
    const type = areaType(req.params.type);
    const id = positiveInt(req.params.id) ?? 0;
    const name = str((req.body as Record<string, unknown>).name);
    await attempt(req, res, `${type}-${id}`, async () => {
      await parks.rename(db, type, id, name, writeContext(req, res));
      return `已改名为“${name.trim()}”，原名称保留在历史中。`;
    });
  });

  router.post('/admin/parks/:type/:id/merge', async (req, res) => {
    const type = areaType(req.params.type);
    const id = positiveInt(req.params.id) ?? 0;
    const body = req.body as Record<string, unknown>;
    await attempt(req, res, `${type}-${id}`, async () => {
      const r = await parks.merge(db, type, id, positiveInt(body.into), str(body.confirm) === '1', writeContext(req, res));
      return `已并入“${r.into}”：${r.firms} 家企业、${r.users} 位业务员随之转入。`;
    });
  });

  router.post('/admin/parks/:type/:id/retire', async (req, res) => {
    const type = areaType(req.params.type);
    const id = positiveInt(req.params.id) ?? 0;
    await attempt(req, res, `${type}-${id}`, async () => {
      await parks.retire(db, type, id, writeContext(req, res));
      return '已撤销，它不再出现在选择列表中。';
    });
  });

  return router;
}
