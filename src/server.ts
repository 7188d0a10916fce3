/** Start-up: configuration, database, migrations, demo data (outside production), HTTP. */
import path from 'node:path';
import { createApp } from './app.js';
import { ensureExpiryFollowUps } from './features/certifications/certifications.service.js';
import { todayInShanghai } from './lib/dates.js';
import { ConfigError, deploymentWarnings, loadConfig } from './config.js';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { registerInstance } from './db/backup.js';
import { markReadOnly } from './db/health.js';
import { startChangeFeed } from './db/change-feed.js';
import { isPostgres } from './db/dialect.js';
import { createDb } from './db/knex.js';
import { migrateLatest } from './db/migrate.js';
import { readableSqlitePath, sqliteReadOnlyReason, waitForDatabase } from './db/startup.js';
import { bumpDataGeneration } from './lib/cache.js';
import { faultOf } from './lib/errors.js';
import { DEMO_PASSWORD, isDatabaseEmpty, seedDemoData } from './demo/seed.js';
import { DEMO_USERS } from './demo/yuyao.js';
import type { KnexSessionStore } from './features/accounts/session-store.js';
import { refreshStaleEligibility } from './features/eligibility/eligibility.service.js';
import { recoverInterruptedImports } from './features/lists/import-runner.js';
import { ensureFirstAdmin } from './features/users/first-admin.js';
import { log } from './lib/log.js';
import { readSessionSecret, resolveSessionSecret } from './web/session.js';


function canRead(file: string): boolean {
  try {
    const probe = new Database(file, { readonly: true, fileMustExist: true });
    probe.prepare('SELECT count(*) FROM sqlite_master').get();
    probe.close();
    return true;
  } catch {
    return false;
  }
}

/** The database, migrated; or, when it cannot be written, opened read-only (no crash loop). */
async function openDatabase(databaseUrl: string): Promise<{ db: Knex; readOnly: boolean }> {
  const file = databaseUrl.startsWith('sqlite:') ? path.resolve(databaseUrl.slice('sqlite:'.length)) : null;
  const reason = file && file !== path.resolve(':memory:') ? sqliteReadOnlyReason(file) : null;
  if (file && reason) {
    log.warn('the database file cannot be written: serving read-only', { reason });
    const db = createDb(`sqlite:${readableSqlitePath(file, canRead)}`, { readOnly: true });
    markReadOnly(db);
    return { db, readOnly: true };
  }
  const db = createDb(databaseUrl, { applicationName: 'miaopu' });
  await waitForDatabase(db);
  try {
    await migrateLatest(db);
  } catch (err) {
    // A PostgreSQL standby or a read-only role: serve what is there.
    if (faultOf(err) !== 'read_only') throw err;
    log.warn('the database refuses writes: serving read-only', { err });
    markReadOnly(db);
    return { db, readOnly: true };
  }
  return { db, readOnly: false };
}

async function main(): Promise<void> {
  const config = loadConfig();
  for (const warning of deploymentWarnings(config)) log.warn(warning);
  const { db, readOnly } = await openDatabase(config.databaseUrl);
  // `npm run db:restore` refuses to run while this is there.
  const unregister = registerInstance(config.databaseUrl);
  process.on('exit', unregister);
  if (!readOnly) {
    if (config.seedDemo && (await isDatabaseEmpty(db))) {
      log.info('empty database: loading the demo data');
      const summary = await seedDemoData(db, {});
      log.info('demo data loaded', { ...summary, users: `${DEMO_USERS.map((u) => u.username).join(', ')} — password ${DEMO_PASSWORD}` });
    }
    await ensureFirstAdmin(db, config.firstAdminPassword);
    const interrupted = await recoverInterruptedImports(db);
    if (interrupted) log.warn('import jobs were interrupted by the last shutdown; their batches are marked', { batches: interrupted });
  }
  const sessionSecret = readOnly ? await readSessionSecret(db, config.sessionSecret) : await resolveSessionSecret(db, config.sessionSecret);
  const app = createApp(db, { ...config, sessionSecret });
  // PostgreSQL: another process's writes drop this one's caches at once (src/db/change-feed.ts).
  const changeFeed = await startChangeFeed(db, bumpDataGeneration);
  const store = app.locals.sessionStore as KnexSessionStore;
  store.startCleanup();
  // Verdict summaries depend on the date (the application year, 365 days since founding): keep them current.
  const refreshEligibilityNow = () =>
    refreshStaleEligibility(db)
      .then((n) => n && log.info('eligibility summaries refreshed', { firms: n }))
      .catch((err: unknown) => log.error('eligibility refresh failed', { err }));
  // 期满当年 follow-ups for counsellors (certifications), created once per certificate from 1 January.
  const expiryFollowUpsNow = () =>
    ensureExpiryFollowUps(db, todayInShanghai())
      .then((n) => n && log.info('expiry-year follow-ups created', { followUps: n }))
      .catch((err: unknown) => log.error('expiry-year follow-ups failed', { err }));
  if (!readOnly) void refreshEligibilityNow().then(expiryFollowUpsNow);
  const eligibilityTimer = setInterval(() => {
    if (!readOnly) void refreshEligibilityNow().then(expiryFollowUpsNow);
  }, 3600_000);
  eligibilityTimer.unref();
  // PostgreSQL: a job of another process that died while this one runs is marked once its lease expires.
  const recoveryTimer = setInterval(() => {
    if (readOnly || !isPostgres(db)) return;
    recoverInterruptedImports(db)
      .then((n) => n && log.warn('import jobs of a process that stopped are marked interrupted', { batches: n }))
      .catch((err: unknown) => log.error('recovering interrupted imports failed', { err }));
  }, 60_000);
  recoveryTimer.unref();
  const server = app.listen(config.port, () => {
    log.info('Miaopu is listening', { url: `http://localhost:${config.port}`, database: config.databaseUrl.replace(/\/\/[^@]*@/, '//***@') });
  });
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal });
    store.stopCleanup();
    clearInterval(eligibilityTimer);
    clearInterval(recoveryTimer);
    void changeFeed?.stop();
    server.close(() => {
      void db.destroy().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

// A promise nobody waited for must not end the process, and every user's work with it (issue 8):
// it is a bug, logged loudly with its stack, and the app goes on serving.
process.on('unhandledRejection', (err: unknown) => log.error('unhandled promise rejection', { err }));

main().catch((err: unknown) => {
  if (err instanceof ConfigError) log.error(err.message);
  else log.error('start-up failed', { err });
  process.exit(1);
});
