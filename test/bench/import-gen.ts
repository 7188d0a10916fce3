/**
 * Child process of the import benchmark: `import-gen.ts <spec.json>` writes a candidate list of
 * `rows` rows as a GBK CSV and as an XLSX (exceljs's streaming WorkbookWriter, so neither the rows
 * nor the workbook are ever held whole), then `<out>.json` with what the files contain.
 *
 * The list is an R&D super-deduction list as the tax bureau sends it: a title line, Chinese headers
 * (序号, 纳税人识别号, 纳税人名称, 所属年度, 研发费用加计扣除额（万元）, 研发费用（万元）, 所在园区,
 * 主管税务机关), and a realistic mix of rows:
 *  - ~49% firms already in the benchmark database (their own credit code, name and park),
 *  - ~49% new firms (valid codes not in the database, demo-style names, a known park or none),
 *  - ~1% unusable codes (a wrong check character; half of these carry a registered firm's exact
 *    name, so the preview can match them by name, the other half are rejected),
 *  - ~1% repeats of an earlier row (rejected as duplicates).
 * Deterministic for a given database and seed.
 */
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { TechFieldKey } from '../../src/domain/fields.js';
import { USCC_CODESET } from '../../src/domain/uscc.js';
import { Random } from '../../src/demo/random.js';
import { DEMO_PARKS, FIELD_WEIGHTS, firmName } from '../../src/demo/yuyao.js';
import { validUscc } from '../helpers/factories.js';

export interface GenSpec {
  /** The benchmark database the "matched" rows are taken from (opened read-only). */
  dbFile: string;
  rows: number;
  year: number;
  seed: number;
  csvFile: string;
  xlsxFile: string;
  metaFile: string;
}

export interface GenMeta {
  rows: number;
  year: number;
  /** What the generator put in; the preview's own counts are the measured result. */
  mix: { existing: number; fresh: number; badCode: number; badCodeKnownName: number; duplicate: number };
  csvBytes: number;
  xlsxBytes: number;
  seconds: number;
}

export const HEADERS = ['序号', '纳税人识别号', '纳税人名称', '所属年度', '研发费用加计扣除额（万元）', '研发费用（万元）', '所在园区', '主管税务机关'] as const;

type Row = [number, string, string, number, number, number, string, string];

const TAX_OFFICES = [
  ['国家税务总局余姚市税务局', 70],
  ['国家税务总局余姚市税务局第一税务分局', 12],
  ['国家税务总局余姚市税务局第二税务分局', 10],
  ['国家税务总局余姚市税务局泗门税务分局', 8],
] as const;

/** A typo in the last (check) character: the code is then refused by parseUscc. */
function breakCheck(code: string): string {
  const last = code[17]!;
  const i = USCC_CODESET.indexOf(last);
  return code.slice(0, 17) + USCC_CODESET[(i + 7) % USCC_CODESET.length];
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function generate(spec: GenSpec): Promise<GenMeta> {
  const started = performance.now();
  const rng = new Random(spec.seed ^ 0x5eed);
  const conn = new BetterSqlite3(spec.dbFile, { readonly: true, fileMustExist: true });
  let firms: { uscc: string; name: string; park: string | null }[];
  const known = new Set<string>();
  try {
    const all = conn.prepare('SELECT f.uscc AS uscc, f.name AS name, p.name AS park FROM firms f LEFT JOIN parks p ON p.id = f.park_id ORDER BY f.id').all() as { uscc: string; name: string; park: string | null }[];
    for (const f of all) known.add(f.uscc);
    // A random half of the rows refer to registered firms: take that many distinct firms, spread over the table.
    const want = Math.min(all.length, Math.round(spec.rows * 0.5));
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    firms = all.slice(0, want);
  } finally {
    conn.close();
  }

  const parkNames = DEMO_PARKS.map((p) => p.name);
  const mix = { existing: 0, fresh: 0, badCode: 0, badCodeKnownName: 0, duplicate: 0 };
  let nextFresh = 10_000_000 + (spec.seed % 1000) * 10_000;
  let nextExisting = 0;
  const freshCode = () => {
    for (;;) {
      const code = validUscc(nextFresh++);
      if (!known.has(code)) return code;
    }
  };
  const earlier: Row[] = [];

  const csv = fs.openSync(spec.csvFile, 'w');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: spec.xlsxFile, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet('名单');
  const title = `${spec.year}年度研发费用加计扣除企业名单（余姚市）`;
  let buffer = `${title}${','.repeat(HEADERS.length - 1)}\r\n${HEADERS.join(',')}\r\n`;
  ws.addRow([title]);
  ws.mergeCells(1, 1, 1, HEADERS.length);
  ws.getRow(1).commit();
  ws.addRow([...HEADERS]).commit();

  for (let i = 1; i <= spec.rows; i++) {
    const r = rng.next();
    const rd = Math.round(rng.between(20, 3000) * 100) / 100;
    const deduction = Math.round(rd * rng.between(0.6, 1) * 100) / 100;
    const office = rng.weighted(TAX_OFFICES);
    let row: Row;
    if (r < 0.01 && earlier.length > 100) {
      const again = earlier[Math.floor(rng.next() * earlier.length)]!;
      row = [i, again[1], again[2], spec.year, deduction, rd, again[6], again[7]];
      mix.duplicate++;
    } else if (r < 0.02) {
      const usesKnownName = rng.chance(0.5) && nextExisting < firms.length;
      const f = usesKnownName ? firms[nextExisting++]! : null;
      const name = f ? f.name : firmName(rng, rng.weighted(FIELD_WEIGHTS));
      row = [i, breakCheck(f ? f.uscc : freshCode()), name, spec.year, deduction, rd, f?.park ?? rng.pick(parkNames), office];
      mix.badCode++;
      if (f) mix.badCodeKnownName++;
    } else if (r < 0.51 && nextExisting < firms.length) {
      const f = firms[nextExisting++]!;
      row = [i, f.uscc, f.name, spec.year, deduction, rd, f.park ?? '', office];
      mix.existing++;
    } else {
      const field: TechFieldKey = rng.weighted(FIELD_WEIGHTS);
      row = [i, freshCode(), firmName(rng, field), spec.year, deduction, rd, rng.chance(0.9) ? rng.pick(parkNames) : '', office];
      mix.fresh++;
    }
    if (earlier.length < 5000) earlier.push(row);
    else if (rng.chance(0.05)) earlier[Math.floor(rng.next() * earlier.length)] = row;

    buffer += `${row.map((v, c) => csvCell(c === 4 || c === 5 ? (v as number).toFixed(2) : v)).join(',')}\r\n`;
    if (buffer.length > 1 << 20) {
      fs.writeSync(csv, iconv.encode(buffer, 'gbk'));
      buffer = '';
    }
    ws.addRow(row).commit();
  }
  fs.writeSync(csv, iconv.encode(buffer, 'gbk'));
  fs.closeSync(csv);
  ws.commit();
  await wb.commit();
  return {
    rows: spec.rows,
    year: spec.year,
    mix,
    csvBytes: fs.statSync(spec.csvFile).size,
    xlsxBytes: fs.statSync(spec.xlsxFile).size,
    seconds: (performance.now() - started) / 1000,
  };
}

const specFile = process.argv[2];
if (!specFile) {
  console.error('usage: import-gen.ts <spec.json>');
  process.exit(2);
}
const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as GenSpec;
try {
  const meta = await generate(spec);
  fs.writeFileSync(spec.metaFile, JSON.stringify(meta, null, 2));
} catch (err) {
  for (const f of [spec.csvFile, spec.xlsxFile, spec.metaFile]) fs.rmSync(f, { force: true });
  console.error(err);
  process.exitCode = 1;
}
