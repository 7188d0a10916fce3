/** The view engine and the template helpers; helpers only format, they never decide. */
import type { Express } from 'express';
import { engine } from 'express-handlebars';
import Handlebars from 'handlebars';
import path from 'node:path';
import { VIEWS_DIR } from '../paths.js';
import { formatWan } from '../lib/money.js';
import { shanghaiDate, shanghaiDateTime } from '../lib/dates.js';
import { exitReasonLabel, stageLabel } from '../domain/stages.js';
import { lifecycleLabel, techFieldLabel } from '../domain/fields.js';

/** JSON for `<script type="application/json">`: `<` is escaped so no `</script>` can break out. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export const helpers = {
  eq: (a: unknown, b: unknown) => a === b || (a != null && b != null && String(a) === String(b)),
  ne: (a: unknown, b: unknown) => !(a === b || (a != null && b != null && String(a) === String(b))),
  not: (a: unknown) => !a,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  gt: (a: number, b: number) => a > b,
  concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
  /** A value inside a link's query string (the template still HTML-escapes the result). */
  urlencode: (value: unknown) => encodeURIComponent(value == null ? '' : String(value)),
  includes: (list: unknown, value: unknown) => Array.isArray(list) && list.some((x) => String(x) === String(value)),
  stageLabel: (key: string) => stageLabel(key),
  fieldLabel: (key: string | null) => techFieldLabel(key),
  lifecycleLabel: (key: string | null) => lifecycleLabel(key),
  exitReasonLabel: (key: string) => exitReasonLabel(key),
  wan: (yuan: number | null) => formatWan(yuan),
  number: (n: number | null | undefined) => (n === null || n === undefined ? '' : n.toLocaleString('en-US')),
  percent: (n: number | null | undefined, digits = 1) =>
    n === null || n === undefined || Number.isNaN(n) ? '—' : `${(n * 100).toFixed(typeof digits === 'number' ? digits : 1)}%`,
  date: (iso: string | null) => (iso ? (iso.length === 10 ? iso : shanghaiDate(iso)) : ''),
  datetime: (iso: string | null) => (iso ? shanghaiDateTime(iso) : ''),
  json: (value: unknown) => new Handlebars.SafeString(jsonForScript(value)),
};

export function configureViews(app: Express, production: boolean): void {
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(VIEWS_DIR, 'layouts'),
      partialsDir: path.join(VIEWS_DIR, 'partials'),
      helpers,
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', VIEWS_DIR);
  if (production) app.enable('view cache');
}
