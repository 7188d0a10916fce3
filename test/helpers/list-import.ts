/** A list committed through the app as a user would: upload, confirm the mapping, commit, each job waited for. */
import type { ImportRunner } from '../../src/features/lists/import-runner.js';
import { type Cell, writeCsv } from './list-files.js';
import type { Client, TestContext } from './test-app.js';

/**
 * Rows start with the credit code and the name (or follow `columns`: each header with the field it
 * is mapped to); returns the batch id.
 */
export async function commitList(t: TestContext, rows: Cell[][], opts: { kind?: string; year?: number; client?: Client; columns?: [string, string][] } = {}): Promise<number> {
  const columns = opts.columns ?? [['统一社会信用代码', 'uscc'], ['企业名称', 'name']];
  const c = opts.client ?? t.admin;
  const runner = t.app.locals.importRunner as ImportRunner;
  const up = await c.post('/lists/imports').field('kind', opts.kind ?? 'patent').field('year', String(opts.year ?? 2025)).attach('file', writeCsv([columns.map(([h]) => h), ...rows]));
  const id = Number(/(\d+)$/.exec(up.headers.location ?? '')![1]);
  await c.post(`/lists/imports/${id}/mapping`).type('form').send({ ...Object.fromEntries(columns.map(([, f], i) => [`field_${i}`, f])), version: 1 }).expect(303);
  await runner.settled(id);
  await c.post(`/lists/imports/${id}/commit`).type('form').send({}).expect(303);
  await runner.settled(id);
  return id;
}
