/**
 * The HTTP load generator, parent side. The requests are issued from a child process
 * (load-worker.ts) so the client's own JSON, parsing and sockets do not eat the server's event
 * loop; better-sqlite3 is synchronous, so the server is one core, as in production. When `taskset`
 * exists and there are ≥ 2 CPUs, the server is pinned to CPU 0 and the client to CPU 1 (perf.md
 * §1.3 "pinned"), unless pinning is switched off.
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Summary } from './stats.js';

export interface LoadJob {
  id: number;
  url: string;
  concurrency: number;
  /** Measured phase; requests still in flight at the end are awaited and counted. */
  durationMs: number;
  /** Unmeasured phase before it, at the same concurrency. */
  warmupMs: number;
  /** Stop after this many measured requests (e.g. 1 for "the first, uncached request"). */
  maxRequests?: number;
  headers: Record<string, string>;
  /** Process whose VmRSS/RssAnon is sampled during the run (the server). */
  samplePid: number;
}

export interface LoadResult {
  id: number;
  requests: number;
  errors: number;
  /** Status code → count; "ERR" for socket errors and timeouts. */
  statuses: Record<string, number>;
  latency: Summary;
  /** Mean body size in bytes (identity encoding). */
  bytes: number;
  elapsedMs: number;
  rps: number;
  peakRssBytes: number;
  peakAnonBytes: number;
  firstError: string | null;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

export function canPin(): boolean {
  return os.availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;
}

/** Pin every thread of `pid` to `cpu` (taskset -a). Returns false when it did not work. */
export function pin(pid: number, cpu: number): boolean {
  return spawnSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' }).status === 0;
}

export class LoadClient {
  private child: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, (r: LoadResult) => void>();

  constructor() {
    // fork() passes on process.execArgv (tsx's loader), so the worker can be TypeScript.
    this.child = fork(path.join(HERE, 'load-worker.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (msg: LoadResult) => {
      const done = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      done?.(msg);
    });
    this.child.on('exit', (code) => {
      for (const [, done] of this.pending) done(failed(-1, `load worker exited (${code})`));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  run(job: Omit<LoadJob, 'id'>): Promise<LoadResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ ...job, id });
    });
  }

  close(): void {
    this.child.disconnect();
    this.child.kill();
  }
}

function failed(id: number, message: string): LoadResult {
  const nan = NaN;
  return {
    id,
    requests: 0,
    errors: 1,
    statuses: { ERR: 1 },
    latency: { n: 0, min: nan, p50: nan, p90: nan, p95: nan, p99: nan, max: nan, mean: nan },
    bytes: 0,
    elapsedMs: 0,
    rps: 0,
    peakRssBytes: 0,
    peakAnonBytes: 0,
    firstError: message,
  };
}
