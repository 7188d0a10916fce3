/**
 * The `scale` group of `npm run bench` (issue 13 item 2): every target row of the issue with its
 * target and PASS/FAIL, measured in the same run as the rest.
 *
 * The ratio rows need the bare stack of ../shared/perf-baseline (not part of this repository: it
 * is run from where it is, never copied in): `--bare DIR` (a writable copy with `npm ci` done) and
 * `--bare-db FILE` (its gen-data.js database of the same size). Its server is started pinned like
 * the app's, and each pair is measured interleaved (bare, app, bare, app, bare, app; medians), as
 * perf.md §1.3 asks on this drifting host. Without --bare the ratio rows say "not measured".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { LoadResult } from './load.js';

import { type Target as ScaleTarget, atLeast, atMost } from './stats.js';

export const T13 = {
  boardRatio: atLeast(0.6, '≥ 0.6 of bare (issue 13 §2)'),
  boardP99: atMost(500, '< 500 ms (issue 13 §2)'),
  columnRatio: atLeast(0.6, '≥ 0.6 of bare (issue 13 §2)'),
  firmRatio: atLeast(0.5, '≥ 0.5 of bare /firm/:id (issue 13 §2)'),
  searchRatio: atLeast(0.5, '≥ 0.5 of bare (issue 13 §2)'),
  searchP99: atMost(100, '< 100 ms at c=10 (issue 13 §2)'),
  pageP95: atMost(200, '< 200 ms at c=10 (issue 13 §2)'),
  dashRatio: atLeast(0.5, '≥ 0.5 of bare cached endpoint (issue 13 §2)'),
  rss: atMost(400 * 1048576, '< 400 MiB (issue 13 §2)'),
};

export interface ScaleDeps {
  /** Load on the app (path relative to the app) or on an absolute URL (the bare stack). */
  load: (pathOrUrl: string, concurrency: number, extra?: { headers?: Record<string, string> }) => Promise<LoadResult>;
  get: (path: string) => Promise<{ status: number; body: string }>;
  add: (what: string, figure: string, detail: string, target?: ScaleTarget, value?: number) => void;
  error: (what: string, message: string) => void;
  pinServer: (pid: number) => void;
  inputs: { name3: string; name2: string; usccPrefix: string; sampleUscc: string };
  year: number;
  bare: { dir: string; db: string } | null;
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function startBare(dir: string, db: string, pinServer: (pid: number) => void): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['server.js'], { cwd: dir, env: { ...process.env, DB: db, PORT: String(port), NODE_ENV: 'production', EXPRESS: '5' }, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/hello`)).ok) {
        if (child.pid) pinServer(child.pid);
        return { child, base };
      }
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) break;
    await sleep(500);
  }
  child.kill();
  throw new Error(`the bare stack in ${dir} did not start (node server.js, DB=${db})`);
}

/** Poll the report's status as the page does until its computation has finished; ms from now. */
async function waitForReport(d: ScaleDeps, page: string): Promise<number> {
  const t0 = performance.now();
  const [path, query] = page.split('?');
  while (performance.now() - t0 < 30 * 60_000) {
    const r = await d.get(`${path}/status${query ? `?${query}` : ''}`);
    if (r.status === 204) return performance.now() - t0;
    if (r.body.includes('没有完成')) throw new Error(`${page}: the computation failed`);
    await sleep(2000);
  }
  throw new Error(`${page}: not computed within 30 minutes`);
}

export async function benchScale(d: ScaleDeps): Promise<void> {
  const ok = (r: LoadResult | null) => !!r && r.errors === 0 && r.requests > 0;
  const runApp = async (what: string, p: string, c: number, checks: (r: LoadResult) => [string, number, ScaleTarget?][], headers?: Record<string, string>) => {
    console.log(`    ${what} …`);
    try {
      const r = await d.load(p, c, headers ? { headers } : {});
      if (!ok(r)) return d.error(what, `${r.errors}/${r.requests} failed: ${r.firstError ?? ''} ${JSON.stringify(r.statuses)}`);
      checks(r).forEach(([label, v, target], i) =>
        d.add(i === 0 ? what : `  ″ ${label}`, label === 'req/s' ? `${int(v)} req/s` : label === 'RSS' ? `${int(v / 1048576)} MiB` : `${label} ${ms(v)}`, i === 0 ? `${int(r.rps)} req/s · p50 ${ms(r.latency.p50)} · p95 ${ms(r.latency.p95)} · p99 ${ms(r.latency.p99)} · ${int(r.requests)} req` : '', target, v),
      );
      return r;
    } catch (err) {
      d.error(what, (err as Error).message);
      return null;
    }
  };

  // Pages that aggregate (issue 13 item 1): p95 at c=10. Pages still being built on main are
  // included when this build serves them.
  const pages = ['/dashboard', '/lists', '/lists/overlap', '/readiness', '/readiness?check=tsme', '/coaching', '/certifications', `/reports/${d.year - 1}?view=live`];
  for (const p of pages) {
    const t0 = performance.now();
    let probe = await d.get(p);
    let alone = performance.now() - t0;
    if (probe.status === 202) {
      // Computed in the background (a large county: live-report.ts): the row is the page once computed,
      // and the computation's own time is a row of its own.
      const computed = await waitForReport(d, p);
      d.add(`${p.replace(/\?.*/, '')} computed in the background`, `${(computed / 1000).toFixed(1)} s`, 'first read to the page showing it (worker thread; the page answers meanwhile)');
      const t1 = performance.now();
      probe = await d.get(p);
      alone = performance.now() - t1;
    }
    if (probe.status === 404) {
      d.add(`${p} c=10`, 'not on this build', 'the page does not exist here (404)');
      continue;
    }
    // A page that takes seconds alone would keep the server busy for minutes at c=10 (the client
    // gives up after 30 s, the server does not) and spoil every row after it: its one request is the row.
    if (probe.status !== 200 || alone > 2000) {
      d.add(`${p} c=10`, `${(alone / 1000).toFixed(1)} s alone`, `one request on an idle server answered ${probe.status}; not loaded at c=10`, T13.pageP95, probe.status === 200 ? alone : Number.POSITIVE_INFINITY);
      continue;
    }
    await runApp(`${p} c=10`, p, 10, (r) => [['p95', r.latency.p95, T13.pageP95]]);
  }

  // Searches: p99 < 100 ms at c=10 whatever the number of matches.
  const q = (text: string) => `/firms?q=${encodeURIComponent(text)}`;
  const searches: [string, string][] = [
    [`name search, rare "${d.inputs.name3}"`, d.inputs.name3],
    ['name search, common "余姚市"', '余姚市'],
    [`name search, 2 chars "${d.inputs.name2}"`, d.inputs.name2],
    [`credit-code prefix ${d.inputs.usccPrefix}`, d.inputs.usccPrefix],
  ];
  const appSearch = new Map<string, LoadResult>();
  for (const [what, text] of searches) {
    const r = await runApp(`${what} c=10`, q(text), 10, (x) => [['p99', x.latency.p99, T13.searchP99]]);
    if (r) appSearch.set(text, r);
  }

  // Memory: server RSS under c=50 on the board.
  await runApp('/board c=50: server RSS', '/board', 50, (r) => [['RSS', r.peakRssBytes, T13.rss], ['p99', r.latency.p99, T13.boardP99]]);

  // Ratios against the bare stack, interleaved.
  const pairs: { what: string; bare: string; app: string; c: number; target: ScaleTarget; hx?: boolean }[] = [];
  const boardPage = await d.get('/board');
  const more = /hx-get="(\/board\/columns\/[a-z_]+\?after=[^"]+)"/.exec(boardPage.body)?.[1]?.replace(/&amp;/g, '&');
  pairs.push({ what: '/board c=50', bare: '/board', app: '/board', c: 50, target: T13.boardRatio });
  if (more) pairs.push({ what: 'board column page c=10', bare: '/board/fragment?stage=incubating', app: more, c: 10, target: T13.columnRatio, hx: true });
  pairs.push({ what: 'firm page c=10', bare: '/firm/1', app: `/firms/${d.inputs.sampleUscc}`, c: 10, target: T13.firmRatio });
  pairs.push({ what: 'name search rare c=10', bare: `/search?q=${encodeURIComponent(d.inputs.name3)}`, app: q(d.inputs.name3), c: 10, target: T13.searchRatio });
  pairs.push({ what: 'name search common 余姚市 c=10', bare: `/search?q=${encodeURIComponent('余姚市')}`, app: q('余姚市'), c: 10, target: T13.searchRatio });
  pairs.push({ what: 'dashboard cached c=10', bare: '/dashboard/data?cached=1', app: '/dashboard', c: 10, target: T13.dashRatio });
  if (!d.bare) {
    for (const p of pairs) d.add(`${p.what}, app / bare stack`, 'not measured', 'run with --bare DIR --bare-db FILE (../shared/perf-baseline, same size)');
    return;
  }
  let bare: { child: ChildProcess; base: string } | null = null;
  try {
    bare = await startBare(d.bare.dir, d.bare.db, d.pinServer);
    for (const p of pairs) {
      console.log(`    ${p.what}: bare vs app …`);
      const bs: number[] = [];
      const as: number[] = [];
      let p99 = 0;
      for (let i = 0; i < 3; i++) {
        const b = await d.load(bare.base + p.bare, p.c);
        const a = await d.load(p.app, p.c, p.hx ? { headers: { 'HX-Request': 'true' } } : {});
        if (!ok(a) || !ok(b)) throw new Error(`${p.what}: a run failed (app ${a.errors}/${a.requests}, bare ${b.errors}/${b.requests})`);
        bs.push(b.rps);
        as.push(a.rps);
        p99 = Math.max(p99, a.latency.p99);
      }
      const ratio = median(as) / median(bs);
      d.add(`${p.what}, app / bare stack`, ratio.toFixed(2), `bare ${int(median(bs))} req/s · app ${int(median(as))} req/s · app p99 ${ms(p99)} · medians of 3 interleaved`, p.target, ratio);
    }
  } catch (err) {
    d.error('app / bare stack', (err as Error).message);
  } finally {
    bare?.child.kill();
  }
}
