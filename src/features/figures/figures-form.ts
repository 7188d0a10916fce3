/**
 * Parsing one year's figures as typed on the firm page: money in 万元 (exact, to the 元), head counts
 * as annual monthly averages (two decimals), counts as whole numbers, yes/no flags. Every field gets
 * a Chinese message; nothing the user typed is lost on a refusal.
 */
import { checkFigures } from '../../domain/figure-checks.js';
import { formatHeadcount, formatWanExact, parseWan } from '../../lib/money.js';
import { str } from '../../web/forms.js';
import { FIGURE_ROWS } from './figure-rows.js';
import type { FigureValues } from './figures.queries.js';

export type FigureForm = Record<string, string>;

const messages = {
  headcount: '请填写人数（全年月平均数，最多两位小数）。',
  count: '请填写 0 或正整数。',
  bool: '请选择“是”或“否”。',
} as const;

/** Only the figure fields, as trimmed strings. */
export function figureFormOf(body: Record<string, unknown>): FigureForm {
  const out: FigureForm = {};
  for (const row of FIGURE_ROWS) {
    out[row.key] = str(body[row.key]);
  }
  return out;
}

/** The stored values as the form shows them (万元, head counts with their decimals, 是/否). */
export function figureFormFrom(values: Partial<FigureValues> | null): FigureForm {
  const out: FigureForm = {};
  for (const row of FIGURE_ROWS) {
    const v = values?.[row.key];
    if (v === null || v === undefined) out[row.key] = '';
    else if (row.kind === 'money') out[row.key] = formatWanExact(v as number);
    else if (row.kind === 'headcount') out[row.key] = formatHeadcount(Math.round((v as number) * 100));
    else if (row.kind === 'bool') out[row.key] = v ? 'yes' : 'no';
    else out[row.key] = String(v);
  }
  return out;
}

export type ParsedFigures = { ok: true; values: FigureValues } | { ok: false; errors: Record<string, string> };

export function parseFigureForm(form: FigureForm): ParsedFigures {
  const errors: Record<string, string> = {};
  const values = {} as Record<string, number | boolean | null>;
  for (const row of FIGURE_ROWS) {
    const text = (form[row.key] ?? '').normalize('NFKC').replace(/[\s,]/g, '');
    if (text === '') {
      values[row.key] = null;
      continue;
    }
    if (row.kind === 'money') {
      const parsed = parseWan(text);
      if (!parsed.ok) errors[row.key] = parsed.message;
      else values[row.key] = parsed.yuan;
    } else if (row.kind === 'headcount') {
      if (!/^\d{1,7}(\.\d{1,2})?$/.test(text)) errors[row.key] = messages.headcount;
      else values[row.key] = Math.round(Number(text) * 100) / 100;
    } else if (row.kind === 'count') {
      if (!/^\d{1,7}$/.test(text)) errors[row.key] = messages.count;
      else values[row.key] = Number(text);
    } else {
      if (text !== 'yes' && text !== 'no') errors[row.key] = messages.bool;
      else values[row.key] = text === 'yes';
    }
  }
  // Signs and parts-of-a-whole: the same rules as the list import (domain/figure-checks.ts).
  for (const [key, message] of Object.entries(checkFigures(values).errors)) if (!errors[key]) errors[key] = message;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, values: values as unknown as FigureValues };
}
