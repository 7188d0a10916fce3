/** Runs one import job on its own database connection, in a worker thread (see features/lists/import-runner.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { createDb, type DbLocation } from '../db/knex.js';
import { type JobContext, runCommit, runPreview } from '../features/lists/import-job.js';
import { importSteps } from './import-steps.js';

interface WorkerInput {
  location: DbLocation;
  type: 'preview' | 'commit';
  batchId: number;
  ctx: JobContext;
}

const input = workerData as WorkerInput;
// A small page cache: an import streams through the tables once, and the app's own connection
// keeps its 64 MiB meanwhile, so a large one here would only add to the process's peak memory.
const db = createDb(input.location.url, { ...input.location.options, poolMax: 1, cacheKiB: 8192 });
let last = 0;
const progress = (_phase: string, processed: number) => {
  if (Date.now() - last > 250) {
    last = Date.now();
    parentPort!.postMessage({ type: 'progress', processed });
  }
};

try {
  const steps = importSteps();
  if (input.type === 'preview') await runPreview(db, input.batchId, input.ctx, steps, progress);
  else await runCommit(db, input.batchId, input.ctx, steps, progress);
  parentPort!.postMessage({ type: 'done' });
} catch (err) {
  const e = err as Error & { code?: string; status?: number };
  parentPort!.postMessage({ type: 'error', error: { name: e.name, message: e.message, code: e.code, status: e.status, stack: e.stack } });
} finally {
  await db.destroy();
}
