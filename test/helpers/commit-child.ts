/**
 * Runs one list commit in a separate process and stops in the middle of its transaction, so a test
 * can kill the process there (`kill -9`) and check that nothing of the batch remains.
 * Usage: node --import tsx test/helpers/commit-child.ts <database location json> <batch id> <actor json> [phase]
 * phase: where to stop — 'publish' (default: inside the final transaction, the lock held) or 'stage'
 * (after the first chunk of entries was staged, between two short transactions).
 */
import { createDb, type DbLocation } from '../../src/db/knex.js';
import { runCommit } from '../../src/features/lists/import-job.js';
import { importSteps } from '../../src/jobs/import-steps.js';

const [locationJson, batchId, actorJson, phase = 'publish'] = process.argv.slice(2);
const location = JSON.parse(locationJson!) as DbLocation;
const db = createDb(location.url, location.options);
let paused = false;
await runCommit(db, Number(batchId), { actor: JSON.parse(actorJson!), ip: null, filePath: '' }, importSteps(), async (at) => {
  if (paused || at !== phase) return;
  paused = true;
  process.stdout.write('PAUSED\n');
  await new Promise(() => undefined); // wait inside the transaction until killed
});
process.stdout.write('FINISHED\n');
