/** A list committed through the app as a user would: upload, confirm the mapping, commit, each job waited for. */
import { parse } from 'node-html-parser';
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

/**
 * Upload a list and confirm the mapping the app proposes (every preselected column as it is), then
 * wait for the preview; returns the batch id. For tests of what the preview and commit do with the
 * columns the app recognised by itself.
 */
export async function previewList(t: TestContext, rows: Cell[][], opts: { kind: string; year: number; client?: Client }): Promise<number> {
  const c = opts.client ?? t.admin;
  const up = await c.post('/lists/imports').field('kind', opts.kind).field('year', String(opts.year)).attach('file', writeCsv(rows));
  const id = Number(/\/lists\/imports\/(\d+)/.exec(up.headers.location ?? '')?.[1]);
  if (!(id > 0)) throw new Error(`upload refused (${up.status}): ${up.text.slice(0, 300)}`);
  const doc = parse((await c.get(`/lists/imports/${id}`).expect(200)).text);
  const fields: Record<string, string> = {};
  for (const sel of doc.querySelectorAll('form.mapping-form select')) fields[sel.getAttribute('name')!] = sel.querySelector('option[selected]')?.getAttribute('value') ?? '';
  for (const input of doc.querySelectorAll('form.mapping-form input[type="hidden"]')) if (input.getAttribute('name') !== '_csrf') fields[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
  await c.post(`/lists/imports/${id}/mapping`).type('form').send(fields).expect(303);
  await (t.app.locals.importRunner as ImportRunner).settled(id);
  return id;
}

/** Commit a previewed batch and wait for the job; returns the batch row. */
export async function commitPreviewed(t: TestContext, id: number, client?: Client): Promise<{ status: string; error: string | null } & Record<string, unknown>> {
  await (client ?? t.admin).post(`/lists/imports/${id}/commit`).type('form').send({}).expect(303);
  await (t.app.locals.importRunner as ImportRunner).settled(id);
  return t.db('import_batches').where({ id }).first();
}
