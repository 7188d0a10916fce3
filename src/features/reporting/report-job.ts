/**
 * Computes one annual report on its own database connection, in a child process started by
 * live-report.ts: it is sent the job, answers with the kept report (or the error) and exits.
 */
import { createDb } from '../../db/knex.js';
import { type ReportJob, splitReport } from './live-report.js';
import { computeReport } from './report.service.js';

process.once('message', (job: ReportJob) => {
  const db = createDb(job.location.url, { ...job.location.options, poolMax: 1 });
  computeReport(db, job.year, job.asOf, job.jurisdiction, job.scopeLabel, { live: !job.asOfDate })
    .then((data) => ({ kept: splitReport(data) }))
    .catch((err: unknown) => ({ error: String((err as Error).message ?? err) }))
    .then(async (answer) => {
      await db.destroy();
      process.send!(answer, () => process.exit(0));
    });
});
