/**
 * A second app process on the test's database (argv: JSON { location, changeFeed, production? }):
 * the app as server.ts builds it, listening on a free port, which it reports over IPC. It ends when
 * its parent disconnects. For the tests that two processes on one PostgreSQL database agree, and
 * the benchmark's two-process case (`production`: view cache on, no per-user search limit, as the
 * in-process benchmark server runs).
 */
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { startChangeFeed } from '../../src/db/change-feed.js';
import { createDb, type DbLocation } from '../../src/db/knex.js';
import { bumpDataGeneration } from '../../src/lib/cache.js';

const spec = JSON.parse(process.argv[2]!) as { location: DbLocation; changeFeed: boolean; production?: boolean };
const db = createDb(spec.location.url, { ...spec.location.options, poolMax: 4 });
const app = createApp(db, spec.production ? { ...testConfig({ production: true }), searchRateLimit: null } : testConfig());
const feed = spec.changeFeed ? await startChangeFeed(db, bumpDataGeneration) : null;
const server = app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => {
  server.close();
  void Promise.all([feed?.stop(), db.destroy()]).finally(() => process.exit(0));
});
