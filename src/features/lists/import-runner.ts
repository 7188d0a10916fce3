/**
 * Runs import jobs off the request path. On a file or PostgreSQL database each job gets a worker
 * thread with its own connection, so the web process keeps serving pages (SQLite's WAL lets it
 * read while the job writes). An in-memory database cannot be shared; there the job runs inline.
 * Progress is kept in memory for the page that polls it; outcomes are written to the batch.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import { isPostgres } from '../../db/dialect.js';
import { locateDb } from '../../db/knex.js';
import { bumpDataGeneration } from '../../lib/cache.js';
import { type FaultKind, faultOf } from '../../lib/errors.js';
import { nowIso } from '../../lib/dates.js';
import { log } from '../../lib/log.js';
import { newWorker } from '../../lib/worker-thread.js';
import { clearStagedEntries, type JobContext, runCommit, runPreview } from './import-job.js';
import type { ImportSteps } from './kind-steps.js';

export type JobType = 'preview' | 'commit';

export interface JobState {
  type: JobType;
  processed: number;
  startedAt: number;
}

const messages = {
  previewFailed: '读取文件时出错，请检查文件后重新上传。',
  commitFailed: '提交失败，名单数据没有任何改动，可以重新提交。',
  previewInterrupted: '预览被中断（系统重启），请重新开始预览。',
  commitInterrupted: '提交被中断（系统重启或进程终止），名单数据没有任何改动，可以重新提交。',
  outOfMemory: '文件内容太多，读取时超出了内存上限。请删除不需要的列或工作表，或把文件拆成几份分别导入。',
} as const;

const MiB = 1024 * 1024;

/**
 * The JavaScript heap a preview may use. Without a limit V8 lets garbage pile up to several hundred
 * MiB before collecting, on top of the web process; with one it collects sooner (a 100,000-row XLSX
 * preview: process peak 395 → about 260 MiB). What stays alive is small for CSV, which streams,
 * but an XLSX keeps every shared string in memory, so the limit grows with them (a 200,000-row
 * workbook with 97 MiB of shared strings needed 170–190 MiB). Unknown: no limit.
 */
export function previewHeapLimitMiB(fileType: 'csv' | 'xlsx', sourceInfo: Record<string, unknown> | null): number | undefined {
  if (fileType === 'csv') return 192;
  const shared = sourceInfo?.sharedStringsBytes;
  return typeof shared === 'number' ? Math.ceil(192 + (2 * shared) / MiB) : undefined;
}

/** A job's error, or its copy posted by the worker thread (name, message, code, status). */
interface JobError {
  name?: string;
  message: string;
  code?: string;
  status?: number;
}

/** A server fault stopped the job: say which, and that the file is not to blame. */
const FAULT_CAUSES: Record<FaultKind, string> = {
  disk_full: '服务器磁盘空间不足',
  busy: '数据库长时间被其他操作占用',
  read_only: '数据库目前为只读状态（维护中）',
  unavailable: '暂时无法连接数据库',
  storage: '服务器无法读写上传的文件',
};

function faultMessage(type: JobType, kind: FaultKind): string {
  const retry = kind === 'busy' || kind === 'unavailable' ? '请稍后' : '请联系管理员处理后';
  return type === 'preview'
    ? `${FAULT_CAUSES[kind]}，预览没有完成（这不是文件的问题）。${retry}重新预览。`
    : `${FAULT_CAUSES[kind]}，提交没有完成，名单数据没有任何改动。${retry}重新提交。`;
}

/**
 * What the batch page says about a job that failed. An error with a 4xx status (a file problem,
 * a scope refusal) was written for the user; a server fault says what happened; anything else may
 * hold internals and is not shown.
 */
function failureMessage(type: JobType, err: JobError): string {
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) return err.message;
  const fault = faultOf(err);
  if (fault) return faultMessage(type, fault);
  if (type === 'commit') return messages.commitFailed;
  return err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? messages.outOfMemory : messages.previewFailed;
}

/**
 * Leases (PostgreSQL, where several processes share the database): each running job's lease is
 * beaten every LEASE_BEAT_MS; one not beaten for LEASE_EXPIRES_MS belongs to a process that is gone.
 * SQLite has one process per database file: at its start-up every unfinished job is that of a dead process.
 */
export const LEASE_BEAT_MS = 5_000;
export const LEASE_EXPIRES_MS = 30_000;
const HOLDER = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;

export class ImportRunner {
  private readonly jobs = new Map<number, JobState>();
  private readonly finished = new Map<number, Promise<void>>();
  private beat: NodeJS.Timeout | null = null;

  /**
   * `steps`: what each kind of list does beyond the pipeline (kind-steps.ts), for jobs run inline
   * and for reverts; `workerUrl`: the worker thread's entry, which builds the same steps itself.
   */
  constructor(
    private readonly db: Knex,
    readonly steps: ImportSteps,
    private readonly workerUrl: URL,
  ) {}

  state(batchId: number): JobState | null {
    return this.jobs.get(batchId) ?? null;
  }

  /**
   * Start a job; resolves when it has ended (requests do not wait, tests may).
   * `heapLimitMiB` caps the worker's JavaScript heap (see previewHeapLimitMiB).
   */
  start(type: JobType, batchId: number, ctx: JobContext, opts: { heapLimitMiB?: number | undefined } = {}): Promise<void> {
    this.jobs.set(batchId, { type, processed: 0, startedAt: Date.now() });
    const leased = this.takeLease(batchId);
    const onProgress = (processed: number) => {
      const job = this.jobs.get(batchId);
      if (job) job.processed = processed;
    };
    const location = locateDb(this.db);
    const run = leased.then(() => (location ? this.inWorker(type, batchId, ctx, location, onProgress, opts.heapLimitMiB) : this.inline(type, batchId, ctx, onProgress)));
    const done = run
      .then(() => bumpDataGeneration())
      .catch((err: JobError) => this.fail(type, batchId, err))
      // Callers do not wait for the job (`void runner.start(...)`): a rejection here would be unhandled and end the process.
      .catch((err: unknown) => log.error('recording the job failure failed', { batchId, type, err }))
      .finally(async () => {
        this.jobs.delete(batchId);
        this.finished.delete(batchId);
        await this.dropLease(batchId);
      });
    this.finished.set(batchId, done);
    return done;
  }

  private async takeLease(batchId: number): Promise<void> {
    if (!isPostgres(this.db)) return;
    await this.db('import_job_leases').insert({ batch_id: batchId, holder: HOLDER, beat_at: nowIso() }).onConflict('batch_id').merge();
    if (!this.beat) {
      this.beat = setInterval(() => {
        const ids = [...this.jobs.keys()];
        if (ids.length === 0) return;
        this.db('import_job_leases')
          .whereIn('batch_id', ids)
          .andWhere('holder', HOLDER)
          .update({ beat_at: nowIso() })
          .catch((err: unknown) => log.warn('an import job’s lease could not be renewed', { err }));
      }, LEASE_BEAT_MS);
      this.beat.unref();
    }
  }

  private async dropLease(batchId: number): Promise<void> {
    if (!isPostgres(this.db)) return;
    await this.db('import_job_leases').where({ batch_id: batchId, holder: HOLDER }).del().catch((err: unknown) => log.warn('an import job’s lease stays until it expires', { batchId, err }));
    if (this.jobs.size === 0 && this.beat) {
      clearInterval(this.beat);
      this.beat = null;
    }
  }

  /** Wait for every running job (tests compare the database before and after a request). */
  async idle(): Promise<void> {
    await Promise.all([...this.finished.values()]);
  }

  /** Wait for a batch's running job, if any. */
  async settled(batchId: number): Promise<void> {
    await this.finished.get(batchId);
  }

  private async inline(type: JobType, batchId: number, ctx: JobContext, onProgress: (processed: number) => void): Promise<void> {
    const progress = (_phase: string, processed: number) => onProgress(processed);
    if (type === 'preview') await runPreview(this.db, batchId, ctx, this.steps, progress);
    else await runCommit(this.db, batchId, ctx, this.steps, progress);
  }

  private inWorker(
    type: JobType,
    batchId: number,
    ctx: JobContext,
    location: ReturnType<typeof locateDb>,
    onProgress: (processed: number) => void,
    heapLimitMiB: number | undefined,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = newWorker(this.workerUrl, { location, type, batchId, ctx }, heapLimitMiB);
      let settled = false;
      worker.on('message', (msg: { type: string; processed?: number; error?: JobError }) => {
        if (msg.type === 'progress') onProgress(msg.processed ?? 0);
        else if (msg.type === 'done') {
          settled = true;
          resolve();
        } else if (msg.type === 'error') {
          settled = true;
          reject(msg.error);
        }
      });
      worker.on('error', (err: Error & { code?: string }) => {
        if (!settled) reject({ name: err.name, message: err.message, ...(err.code ? { code: err.code } : {}) });
      });
      worker.on('exit', (code) => {
        if (!settled) reject({ message: `import worker exited with code ${code}` });
      });
    });
  }

  private async fail(type: JobType, batchId: number, err: JobError): Promise<void> {
    const userMessage = failureMessage(type, err);
    log.error('import job failed', { batchId, type, fault: faultOf(err), err });
    await this.recordFailure(type, batchId, userMessage, 0);
  }

  /**
   * The batch leaves 预览中 / 提交中 for a state the user can act on (重新预览, 重新提交). The fault
   * that stopped the job (a full disk) may refuse this write too: then it is retried with backoff
   * until the cause is gone, and a restart marks the batch as well (recoverInterruptedImports).
   */
  private async recordFailure(type: JobType, batchId: number, userMessage: string, attempt: number): Promise<void> {
    try {
      await this.db('import_batches')
        .where({ id: batchId, status: type === 'preview' ? 'previewing' : 'committing' })
        .update({ status: type === 'preview' ? 'failed' : 'interrupted', error: userMessage });
    } catch (err) {
      if (!faultOf(err) || attempt >= RECORD_ATTEMPTS) throw err;
      const delay = Math.min(30_000, 1000 * 2 ** attempt);
      log.warn('the failed job cannot be recorded yet; retrying', { batchId, type, retryInMs: delay, err });
      setTimeout(() => {
        this.recordFailure(type, batchId, userMessage, attempt + 1).catch((e: unknown) => log.error('recording the job failure failed', { batchId, type, err: e }));
      }, delay).unref();
      return;
    }
    // A failed commit's staged entries never counted: they go (its staged rows stay for another try).
    if (type === 'commit') {
      await clearStagedEntries(this.db, batchId).catch((err: unknown) => log.warn('the failed commit’s staged entries stay until the next try', { batchId, err }));
    }
    // A failed preview's rows are worthless (a new preview replaces them anyway); a failed commit's stay for another try.
    if (type === 'preview') {
      await this.db('import_rows')
        .where({ batch_id: batchId })
        .del()
        .catch((err: unknown) => log.warn('the failed preview’s rows stay until the next preview', { batchId, err }));
    }
  }
}

/** About an hour of retries (backoff to every 30 s). */
const RECORD_ATTEMPTS = 125;

/**
 * Batches left mid-way by a process that died are marked so users see it (at start-up, and every
 * minute on PostgreSQL). SQLite: at start-up no job of this file is running anywhere. PostgreSQL:
 * only jobs whose lease has stopped beating — another live process may be committing the rest.
 */
export async function recoverInterruptedImports(db: Knex, now = Date.now()): Promise<number> {
  const orphaned = (status: string) => {
    const qb = db('import_batches').where({ status });
    if (isPostgres(db)) {
      qb.whereNotExists(db('import_job_leases as l').whereRaw('l.batch_id = import_batches.id').andWhere('l.beat_at', '>', new Date(now - LEASE_EXPIRES_MS).toISOString()).select(db.raw('1')));
    }
    return qb;
  };
  // A commit killed while staging left entries that never counted (not current, batch never committed).
  const commits = ((await orphaned('committing').select('id')) as { id: number }[]).map((r) => r.id);
  const previews = ((await orphaned('previewing').select('id')) as { id: number }[]).map((r) => r.id);
  for (const id of commits) await clearStagedEntries(db, id);
  const a = previews.length ? await db('import_batches').whereIn('id', previews).andWhere({ status: 'previewing' }).update({ status: 'uploaded', error: messages.previewInterrupted }) : 0;
  const b = commits.length ? await db('import_batches').whereIn('id', commits).andWhere({ status: 'committing' }).update({ status: 'interrupted', error: messages.commitInterrupted }) : 0;
  if (isPostgres(db) && commits.length + previews.length) await db('import_job_leases').whereIn('batch_id', [...commits, ...previews]).del();
  return Number(a) + Number(b);
}
