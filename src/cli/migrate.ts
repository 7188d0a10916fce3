/** `npm run db:migrate [-- --rollback-all]`: apply (or undo) the migrations on DATABASE_URL. */
import { loadConfig } from '../config.js';
import { createDb } from '../db/knex.js';
import { migrateLatest, rollbackAll } from '../db/migrate.js';

const config = loadConfig();
const db = createDb(config.databaseUrl);
try {
  if (process.argv.includes('--rollback-all')) await rollbackAll(db);
  else await migrateLatest(db);
  console.log('migrations: done');
} finally {
  await db.destroy();
}
