/** Computes one annual report on its own database connection, in a worker thread (see live-report.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../../db/knex.js';
import { type ReportJob, splitReport } from './live-report.js';
import { computeReport } from './report.service.js';

const job = workerData as ReportJob;
const db = createDb(job.location.url, { ...job.location.options, poolMax: 1 });
try {
  const data = await computeReport(db, job.year, job.asOf, job.jurisdiction, job.scopeLabel, { live: !job.asOfDate });
  parentPort!.postMessage({ kept: splitReport(data) });
} catch (err) {
  parentPort!.postMessage({ error: String((err as Error).message ?? err) });
} finally {
  await db.destroy();
}
