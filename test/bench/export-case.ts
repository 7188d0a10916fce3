/**
 * One export in a child process of its own (so its peak RSS is its own): argv = JSON spec
 * { source: 'firms' | 'synthetic', dbFile?, format, rows }. Writes the export into a sink that only
 * counts bytes and answers { seconds, rows, bytes, rssStart, maxRss } over IPC.
 */
import { Writable } from 'node:stream';
import { createDb } from '../../src/db/knex.js';
import { firmListSheet } from '../../src/features/firms/firm-export.js';
import { loadFilterOptions } from '../../src/features/firms/filter-options.js';
import { type ExportSheet, writeCsv, writeXlsx } from '../../src/web/export.js';

interface Spec { source: 'firms' | 'synthetic'; dbFile?: string; format: 'xlsx' | 'csv'; rows: number }
const spec = JSON.parse(process.argv[2]!) as Spec;

class Sink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.bytes += chunk.length;
    cb();
  }
}

function* synthetic(n: number) {
  for (let i = 0; i < n; i++) {
    yield { uscc: `91330281MA2${String(i).padStart(6, '0')}X1`, name: `余姚市合成导出${i}科技有限公司`, park: '余姚经济开发区', rd: 1_234_567 + i, staff: 40 + (i % 100), date: '2019-06-01' };
  }
}

async function main() {
  (globalThis as { gc?: () => void }).gc?.();
  const rssStart = process.memoryUsage().rss;
  const sink = new Sink();
  let db: ReturnType<typeof createDb> | null = null;
  let sheet: ExportSheet<any>;
  if (spec.source === 'firms') {
    db = createDb(`sqlite:${spec.dbFile}`);
    const actor = { parkIds: null, townIds: [] };
    const options = await loadFilterOptions(db, actor);
    sheet = firmListSheet(db, {}, actor, options, '企业名录', false);
    // The cap of the benchmark, not the app's.
    const rows = sheet.rows as AsyncIterable<unknown>;
    sheet = { ...sheet, rows: (async function* () { let n = 0; for await (const r of rows) { if (n++ >= spec.rows) return; yield r; } })() };
  } else {
    sheet = {
      name: '合成', title: '合成数据', filters: [],
      columns: [
        { header: '统一社会信用代码', kind: 'code', value: (r: any) => r.uscc },
        { header: '企业名称', value: (r: any) => r.name },
        { header: '园区', value: (r: any) => r.park },
        { header: '研发费用（万元）', kind: 'wan', value: (r: any) => r.rd },
        { header: '职工', kind: 'int', value: (r: any) => r.staff },
        { header: '成立日期', kind: 'date', value: (r: any) => r.date },
      ],
      rows: synthetic(spec.rows),
    };
  }
  let count = 0;
  const counted = sheet.rows as AsyncIterable<unknown> | Iterable<unknown>;
  sheet = { ...sheet, rows: (async function* () { for await (const r of counted) { count++; yield r; } })() };
  const t0 = performance.now();
  if (spec.format === 'xlsx') await writeXlsx(sink, [sheet]);
  else await writeCsv(sink, sheet);
  const seconds = (performance.now() - t0) / 1000;
  await db?.destroy();
  process.send!({ seconds, rows: count, bytes: sink.bytes, rssStart, maxRss: process.resourceUsage().maxRSS * 1024 });
}

main().catch((err) => {
  process.send!({ error: (err as Error).stack ?? String(err) });
});
