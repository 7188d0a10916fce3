/**
 * What one row of a list says, read through the confirmed column mapping: pure checks that need
 * no database (code format, numbers, year, garbled text). Matching against known firms and parks
 * happens afterwards, in the preview job.
 */
import { checkFigures, type FigureCheckKey } from '../../domain/figure-checks.js';
import { normalizeFirmName, cleanFirmName } from '../../domain/firm-name.js';
import { parseUscc } from '../../domain/uscc.js';
import { AMOUNT_FIELDS, EXACT_AMOUNT_FIELDS, FIELD_LABELS, type FieldKey } from './parsing/columns.js';
import { parseAmount, parseCount, parseHeadcount, parseYear } from './parsing/numbers.js';
import type { AmountUnit, RawRow } from './parsing/types.js';

export interface ColumnChoice {
  field: FieldKey;
  unit: AmountUnit | null;
}

/** The confirmed mapping: for each column of the file, the field it holds (or null: ignored). */
export type ColumnMapping = (ColumnChoice | null)[];

export type RowValues = Partial<Record<FieldKey, string | number>>;

export type ReadRow =
  | {
      ok: true;
      /** A valid, normalised code; null when the cell was empty or invalid (then the name may match). */
      uscc: string | null;
      /** Why the code could not be used, when a code was given. */
      usccProblem: string | null;
      name: string | null;
      nameNorm: string | null;
      park: string | null;
      /** The town (属地) as written: matched to a town, by current or earlier name, in the preview. */
      town: string | null;
      values: RowValues;
      /** Not refusals: figures to check before committing (R&D above revenue). */
      warnings: string[];
    }
  | { ok: false; reason: string };

/**
 * The imported fields that are annual figures, by the figures form's names: the import checks them
 * with the form's own function (domain/figure-checks.ts), so a value the form refuses (a negative
 * amount, tech staff above the total) is refused here too.
 */
export const FIGURE_KEY_OF: Partial<Record<FieldKey, FigureCheckKey>> = {
  revenue: 'salesRevenue',
  main_revenue: 'mainRevenue',
  total_income: 'totalIncome',
  non_taxable_income: 'nonTaxableIncome',
  hitech_income: 'hitechIncome',
  total_cost: 'totalCost',
  rd_expense: 'rdExpense',
  rd_domestic: 'rdDomestic',
  rd_outsourced: 'rdOutsourced',
  rd_deduction: 'rdDeductible',
  staff: 'staffTotal',
  tech_staff: 'techStaff',
  total_assets: 'totalAssets',
  net_assets: 'netAssets',
  ip_class1: 'ipClass1',
  invention_count: 'ipClass1',
  ip_class2: 'ipClass2',
  conversions: 'conversions',
  standards_led: 'standardsLed',
};

/** The form's checks on a row's figures: the first refusal (with the field's label), and the warnings. */
function figureChecks(values: RowValues): { error: string | null; warnings: string[] } {
  const input: Record<string, number> = {};
  const fieldOf = new Map<FigureCheckKey, FieldKey>();
  for (const [field, value] of Object.entries(values) as [FieldKey, unknown][]) {
    const key = FIGURE_KEY_OF[field];
    if (!key || typeof value !== 'number') continue;
    if (field === 'invention_count' && typeof values.ip_class1 === 'number') continue;
    input[key] = value;
    fieldOf.set(key, field);
  }
  const { errors, warnings } = checkFigures(input);
  const label = (key: string) => FIELD_LABELS[fieldOf.get(key as FigureCheckKey)!] ?? key;
  const first = Object.entries(errors)[0];
  return {
    error: first ? `${label(first[0])}：${first[1]}` : null,
    warnings: Object.entries(warnings).map(([key, message]) => `${label(key)}：${message}`),
  };
}

const COUNT_FIELDS: ReadonlySet<FieldKey> = new Set(['patent_count', 'invention_count', 'ip_class1', 'ip_class2', 'conversions', 'standards_led']);
/** Head counts are annual averages of monthly figures: up to two decimals (parseHeadcount). */
const HEADCOUNT_FIELDS: ReadonlySet<FieldKey> = new Set(['staff', 'tech_staff']);

const messages = {
  mojibake: '该行含有无法识别的字符（文件编码可能有误），请用 UTF-8 或 GBK 重新导出。',
  lossyCode: '信用代码在表格中以数字格式保存，后几位已经丢失，请把该列设为“文本”格式后重新导出。',
  empty: '缺少信用代码和企业名称。',
  yearMismatch: (found: number, batch: number) => `年度为 ${found}，与本批次年度 ${batch} 不符。`,
  badYear: (text: string) => `年度“${text}”无法识别。`,
  badNumber: (label: string, detail: string) => `${label}：${detail}`,
} as const;

export function readRow(row: RawRow, mapping: ColumnMapping, batchYear: number): ReadRow {
  if (row.mojibake) return { ok: false, reason: messages.mojibake };
  const values: RowValues = {};
  let rawUscc = '';
  let usccLossy = false;
  for (let i = 0; i < mapping.length; i++) {
    const choice = mapping[i];
    const cell = row.cells[i];
    if (!choice || !cell) continue;
    const text = cell.text.trim();
    if (choice.field === 'uscc') {
      rawUscc = text;
      usccLossy = !!cell.numberLossy;
      continue;
    }
    if (text === '') continue;
    if (AMOUNT_FIELDS.has(choice.field)) {
      const amount = parseAmount(text, choice.unit ?? 'yuan');
      if (!amount.ok) return { ok: false, reason: messages.badNumber(FIELD_LABELS[choice.field], amount.error) };
      if (amount.value !== null) values[choice.field] = amount.value;
      // Named, not refused here: the kind's own check refuses it, with the rest of its firm's rows (rd-import.ts).
      if (amount.rounded && EXACT_AMOUNT_FIELDS.has(choice.field)) (values as Record<string, string | number>).rd_inexact ??= FIELD_LABELS[choice.field];
    } else if (HEADCOUNT_FIELDS.has(choice.field)) {
      const count = parseHeadcount(text);
      if (!count.ok) return { ok: false, reason: messages.badNumber(FIELD_LABELS[choice.field], count.error) };
      if (count.value !== null) values[choice.field] = count.value;
    } else if (COUNT_FIELDS.has(choice.field)) {
      const count = parseCount(text);
      if (!count.ok) return { ok: false, reason: messages.badNumber(FIELD_LABELS[choice.field], count.error) };
      if (count.value !== null) values[choice.field] = count.value;
    } else if (choice.field === 'year') {
      const year = parseYear(text);
      if (!year.ok) return { ok: false, reason: messages.badYear(text) };
      if (year.value === null) continue; // "-", "—": no year given, like an empty cell
      if (year.value !== batchYear) return { ok: false, reason: messages.yearMismatch(year.value, batchYear) };
      values.year = year.value;
    } else {
      values[choice.field] = text.slice(0, 500);
    }
  }

  const nameText = typeof values.name === 'string' ? cleanFirmName(values.name).slice(0, 200) : '';
  const name = nameText === '' ? null : nameText;
  delete values.name;
  const park = typeof values.park === 'string' ? values.park : null;
  delete values.park;
  const town = typeof values.town === 'string' ? values.town : null;
  const checks = figureChecks(values);
  if (checks.error) return { ok: false, reason: checks.error };
  const warnings = checks.warnings;

  if (usccLossy) {
    return { ok: true, uscc: null, usccProblem: messages.lossyCode, name, nameNorm: name ? normalizeFirmName(name) : null, park, town, values, warnings };
  }
  if (rawUscc === '' && !name) return { ok: false, reason: messages.empty };
  const parsed = rawUscc === '' ? null : parseUscc(rawUscc);
  return {
    ok: true,
    uscc: parsed?.ok ? parsed.code : null,
    usccProblem: parsed === null ? '缺少信用代码。' : parsed.ok ? null : parsed.message,
    name,
    nameNorm: name ? normalizeFirmName(name) : null,
    park,
    town,
    values,
    warnings,
  };
}

/**
 * A name for every column, as the rejects download heads them: the header, "第N列" when it is
 * empty, and a numbered copy when it repeats (two 备注 columns: 备注, 备注(2)), so that no
 * column's cells are lost when a row is keyed by these names.
 */
export function columnLabels(headers: readonly string[]): string[] {
  const taken = new Set<string>();
  return headers.map((h, i) => {
    const base = h || `第${i + 1}列`;
    let label = base;
    for (let n = 2; taken.has(label); n++) label = `${base}(${n})`;
    taken.add(label);
    return label;
  });
}

/** The raw cells of a row keyed by column label (columnLabels), for the rejects download: what the agency sent, unchanged. */
export function rawByHeader(row: RawRow, labels: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  labels.forEach((label, i) => {
    out[label] = row.cells[i]?.text ?? '';
  });
  return out;
}
