/** Worker thread of src/demo/verdicts.ts: computes one job's verdict rows and sends them back. */
import { parentPort } from 'node:worker_threads';
import { type VerdictJob, verdictRows } from './verdicts.js';

parentPort!.on('message', (job: VerdictJob) => {
  parentPort!.postMessage(verdictRows(job.inputs, job.nullFigures, job.today, job.computedAt));
});
