/**
 * The demo firms' verdict summaries (eligibility_current), computed from the generated rows: the
 * rules take about as long per firm as generating and writing everything else together, so at
 * large sizes they run on worker threads (one per core) while the main thread goes on generating
 * and loading; small sets (tests, the default demo) are computed in place.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { StageKey } from '../domain/stages.js';
import { currentSummaryFor } from '../features/eligibility/eligibility.service.js';
import { toFiguresRows } from '../features/figures/figures.queries.js';

export interface VerdictInput {
  id: number;
  foundedOn: string | null;
  field: string | null;
  stage: StageKey;
  /** annual_figures rows as stored (column names), without id/firm_id/version/updated_at. */
  figures: Record<string, unknown>[];
  certificate: { certificateDate: string } | undefined;
}

/** eligibility_current rows in the column order of ELIGIBILITY_COLUMNS. */
export function verdictRows(inputs: readonly VerdictInput[], nullFigures: Record<string, null>, today: string, computedAt: string): unknown[][] {
  const out: unknown[][] = [];
  for (const f of inputs) {
    const figures = toFiguresRows(f.figures.map((r) => ({ ...nullFigures, ...r, id: 0, firm_id: f.id, version: 1, updated_at: computedAt })));
    const v = currentSummaryFor({ id: f.id, foundedOn: f.foundedOn, field: f.field, stage: f.stage }, figures, f.certificate, today);
    if (v) out.push([f.id, v.ruleSet, v.asOf, JSON.stringify(v.inputYears), v.status, v.fails, v.missing, v.reviews, v.rdGap, v.summary, computedAt]);
  }
  return out;
}

export interface VerdictJob {
  inputs: VerdictInput[];
  nullFigures: Record<string, null>;
  today: string;
  computedAt: string;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './verdict-worker.ts' : './verdict-worker.js', import.meta.url);

function newWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/** Runs jobs on `size` workers, or in place when size is 0. */
export class VerdictPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: { job: VerdictJob; resolve: (rows: unknown[][]) => void; reject: (err: unknown) => void }[] = [];

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = newWorker();
      w.unref();
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  static forFirms(firms: number): VerdictPool {
    return new VerdictPool(firms >= 50_000 ? Math.max(1, Math.min(4, os.availableParallelism())) : 0);
  }

  run(job: VerdictJob): Promise<unknown[][]> {
    if (!this.workers.length) return Promise.resolve(verdictRows(job.inputs, job.nullFigures, job.today, job.computedAt));
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    const w = this.idle.pop();
    const item = w && this.waiting.shift();
    if (!w) return;
    if (!item) {
      this.idle.push(w);
      return;
    }
    const done = (rows: unknown[][] | null, err?: unknown) => {
      w.off('message', onMessage);
      w.off('error', onError);
      this.idle.push(w);
      if (rows) item.resolve(rows);
      else item.reject(err);
      this.next();
    };
    const onMessage = (rows: unknown[][]) => done(rows);
    const onError = (err: unknown) => done(null, err);
    w.on('message', onMessage);
    w.on('error', onError);
    w.postMessage(item.job);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
