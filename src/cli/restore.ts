/**
 * `npm run db:restore -- FILE`: restore a backup made by db:backup into DATABASE_URL. Refuses while
 * the app runs on that database; checks the result; ends every session and changes the stored
 * session secret, so no cookie from before the restore works (SESSION_SECRET, when set, is yours
 * to change).
 */
import { loadConfig } from '../config.js';
import { RestoreRefused, restore } from '../db/backup.js';

const config = loadConfig();
const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: npm run db:restore -- FILE');
  process.exit(2);
}
const started = Date.now();
try {
  const result = await restore({ url: config.databaseUrl }, file);
  console.log(`restored ${file}: integrity ${result.integrity}, ${result.firms} firms, ${result.sessionsEnded} sessions ended (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (config.sessionSecret) console.log('SESSION_SECRET is set: change it too, so cookies signed before the restore are refused outright.');
} catch (err) {
  if (err instanceof RestoreRefused) {
    console.error(`restore refused: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
