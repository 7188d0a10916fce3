/**
 * Exports (issue 10 item 6): 100,000 rows as XLSX and CSV through src/web/export.ts, each in a
 * child process of its own (time and peak RSS). Two sources: the firm list of the benchmark
 * database (what /firms/export.xlsx runs: keyset chunks of 2,000 read from SQLite) and synthetic rows
 * (the writer alone). A 10,000-row synthetic export next to the 100,000-row one shows the memory is
 * flat: the peak must not grow with the rows.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Report, atMost, int, mib } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

interface CaseResult { seconds: number; rows: number; bytes: number; rssStart: number; maxRss: number; error?: string }

function runCase(spec: Record<string, unknown>): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(HERE, 'export-case.ts'), [JSON.stringify(spec)], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    });
    let result: CaseResult | null = null;
    child.on('message', (m: CaseResult) => (result = m));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!result) reject(new Error(`export child exited with ${code} without a result`));
      else if (result.error) reject(new Error(result.error));
      else resolve(result);
    });
  });
}

export const EXPORT_TARGETS = {
  seconds: atMost(10, '≤ 10 s (issue 10: "in seconds")'),
  peak: atMost(256 * 1024 * 1024, 'peak RSS ≤ 256 MiB'),
  flat: atMost(48 * 1024 * 1024, '100k − 10k peak ≤ 48 MiB (flat)'),
};

export async function benchExports(o: { dbFile: string; firms: number; report: Report; section: string }): Promise<void> {
  const rows = 100_000;
  const peaks: Record<string, number> = {};
  for (const format of ['xlsx', 'csv'] as const) {
    for (const [source, n] of [['synthetic', 10_000], ['synthetic', rows], ['firms', Math.min(rows, o.firms)]] as const) {
      const label = `${format.toUpperCase()} ${source === 'firms' ? 'firm list (/firms export, from the DB)' : 'synthetic rows (writer alone)'}, ${int(n)} rows`;
      try {
        const r = await runCase({ source, dbFile: o.dbFile, format, rows: n });
        const detail = `${int(r.rows / r.seconds)} rows/s · ${mib(r.bytes)} written · RSS at start ${mib(r.rssStart)}`;
        o.report.add(o.section, `${label}: time`, `${r.seconds.toFixed(2)} s`, detail, n >= rows ? EXPORT_TARGETS.seconds : undefined, r.seconds);
        o.report.add(o.section, `${label}: peak RSS`, mib(r.maxRss), `grew ${mib(r.maxRss - r.rssStart)} over the start`, n >= rows ? EXPORT_TARGETS.peak : undefined, r.maxRss);
        peaks[`${format}:${source}:${n}`] = r.maxRss;
      } catch (err) {
        o.report.error(o.section, label, (err as Error).message);
      }
    }
    const small = peaks[`${format}:synthetic:10000`];
    const big = peaks[`${format}:synthetic:${rows}`];
    if (small !== undefined && big !== undefined) {
      o.report.add(o.section, `${format.toUpperCase()} memory 100k vs 10k rows`, mib(big - small), `peak ${mib(small)} → ${mib(big)}`, EXPORT_TARGETS.flat, big - small);
    }
  }
}
