/**
 * The `twoproc` case of the benchmark (issue 13 item 4): two app processes on one PostgreSQL
 * database serve /board together at ≥ 1.6× the throughput of one, with no error — nothing a
 * request needs (sessions, counters, caches, rate limits) lives in one process only; the same
 * session cookie is used on both.
 *
 * On a schema of its own on BENCH_PG_URL (or DATABASE_URL=postgres://…), loaded with the demo data
 * of `--twoproc-firms` firms (default 20,000: PostgreSQL's load time, not the page, grows with it).
 * The app processes are test/helpers/app-child.ts in production mode, unpinned (two servers, the
 * database and the client share the machine's cores: on 2 CPUs the ratio is bounded by the box,
 * and the row says how many CPUs it had). One process at c=20, then both at c=10 each, alternated
 * over 3 rounds; medians.
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { locateDb } from '../../src/db/knex.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { startAppProcess } from '../helpers/app-process.js';
import { createPgSchemaDb } from '../helpers/test-db.js';
import { LoadClient, type LoadResult } from './load.js';
import { Session } from './session.js';
import { type Report, atLeast, int } from './stats.js';

export const TP = { ratio: atLeast(1.6, '≥ 1.6× one process (issue 13 §4)') };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const startServer = async (location: ReturnType<typeof locateDb>) => {
  const { child, origin } = await startAppProcess(location, { changeFeed: true, production: true, env: { NODE_ENV: 'production', LOG_LEVEL: 'warn' } });
  return { child, base: origin };
};

export async function benchTwoProcesses(o: { report: Report; section: string; pgUrl: string | null; firms: number; durationMs: number }): Promise<void> {
  const what = `/board, two app processes on one PostgreSQL database (${int(o.firms)} firms)`;
  if (!o.pgUrl) {
    o.report.add(o.section, what, 'skipped', 'set BENCH_PG_URL (or DATABASE_URL=postgres://…) to measure it');
    return;
  }
  console.log(`    two processes: loading ${int(o.firms)} demo firms into a PostgreSQL schema …`);
  const t = await createPgSchemaDb(o.pgUrl, { prefix: 'bench_' });
  const servers: ChildProcess[] = [];
  const clients = [new LoadClient(), new LoadClient()];
  try {
    await seedDemoData(t.db, { firms: o.firms });
    const location = locateDb(t.db);
    const a = await startServer(location);
    servers.push(a.child);
    const session = new Session(a.base);
    const page = await session.page('/board');
    if (page.status !== 200) throw new Error(`GET /board answered ${page.status}`);
    const b = await startServer(location);
    servers.push(b.child);
    const headers = session.headers();
    // The session opened on one process is valid on the other (sessions live in the database).
    const onB = await fetch(`${b.base}/board`, { headers, redirect: 'manual' });
    if (onB.status !== 200) throw new Error(`the session of process 1 answered ${onB.status} on process 2`);
    await onB.arrayBuffer();
    const job = (base: string, concurrency: number) => ({ url: `${base}/board`, concurrency, durationMs: o.durationMs, warmupMs: 1000, headers, samplePid: process.pid });
    const one: number[] = [];
    const two: number[] = [];
    let errors = 0;
    let firstError: string | null = null;
    const note = (r: LoadResult) => {
      errors += r.errors;
      firstError ??= r.firstError;
    };
    for (let round = 1; round <= 3; round++) {
      console.log(`    two processes: round ${round}, one process c=20, then two at c=10 each …`);
      const r1 = await clients[0]!.run(job(a.base, 20));
      note(r1);
      one.push(r1.rps);
      const [ra, rb] = await Promise.all([clients[0]!.run(job(a.base, 10)), clients[1]!.run(job(b.base, 10))]);
      note(ra);
      note(rb);
      two.push(ra.rps + rb.rps);
    }
    const single = median(one);
    const both = median(two);
    const ratio = single ? both / single : NaN;
    o.report.add(o.section, `${what}: one process, c=20`, `${int(single)} req/s`, `median of ${one.map(int).join(', ')}`);
    o.report.add(
      o.section,
      `${what}: two processes, c=10 each`,
      `${ratio.toFixed(2)}×`,
      `${int(both)} req/s (median of ${two.map(int).join(', ')}) · ${errors} errors${firstError ? ` (${firstError})` : ''} · ${os.availableParallelism()} CPUs for both servers, PostgreSQL and the client`,
      TP.ratio,
      errors ? 0 : ratio,
    );
  } catch (err) {
    o.report.error(o.section, what, (err as Error).message);
  } finally {
    for (const c of clients) c.close();
    for (const s of servers) s.disconnect();
    await t.destroy();
  }
}
