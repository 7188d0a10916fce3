/**
 * `npm run db:seed -- [--firms N] [--seed S] [--reset]`: load the demo data into DATABASE_URL.
 * Refuses a database that already holds data unless --reset is given, and never runs in production.
 */
import { loadConfig } from '../config.js';
import { createDb } from '../db/knex.js';
import { migrateLatest, rollbackAll } from '../db/migrate.js';
import { DEFAULT_DEMO_FIRMS, isDatabaseEmpty, seedDemoData } from '../demo/seed.js';
import { databaseBytes } from '../db/dialect.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const config = loadConfig();
if (config.production) {
  console.error('db:seed refuses to run with NODE_ENV=production.');
  process.exit(2);
}
const firms = Number(arg('firms') ?? DEFAULT_DEMO_FIRMS);
const seed = Number(arg('seed') ?? 20261127);
if (!Number.isInteger(firms) || firms < 1 || firms > 5_000_000) {
  console.error('--firms must be a whole number between 1 and 5,000,000.');
  process.exit(2);
}
const db = createDb(config.databaseUrl);
try {
  if (process.argv.includes('--reset')) await rollbackAll(db);
  await migrateLatest(db);
  if (!(await isDatabaseEmpty(db))) {
    console.error('The database already holds data. Use --reset to empty it first (this deletes everything).');
    process.exitCode = 2;
  } else {
    const started = Date.now();
    const secs = () => ((Date.now() - started) / 1000).toFixed(1);
    let lastReport = 0;
    let phaseStarted = started;
    const summary = await seedDemoData(db, {
      firms,
      seed,
      onProgress: (done, total) => {
        if (Date.now() - lastReport > 2000 || done === total) {
          lastReport = Date.now();
          const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
          const eta = done < total ? `, ~${Math.round((total - done) / rate)} s to go` : '';
          console.log(`  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} firms  ${secs()} s  ${Math.round(rate).toLocaleString('en-US')} firms/s${eta}`);
        }
      },
      onPhase: (phase) => {
        console.log(`  ${phase} … (${secs()} s; the previous step took ${((Date.now() - phaseStarted) / 1000).toFixed(1)} s)`);
        phaseStarted = Date.now();
      },
    });
    const bytes = await databaseBytes(db);
    const perFirm = bytes / Math.max(1, summary.firms);
    console.log(`demo data loaded in ${secs()} s: ${(bytes / 1048576).toFixed(1)} MiB, ${(perFirm / 1024).toFixed(2)} KB a firm`, summary);
  }
} finally {
  await db.destroy();
}
