/**
 * Child process of the benchmark: `build-db.ts <firms> <seed> <file> <fingerprint>` migrates a new
 * SQLite file and fills it with seedDemoData() — exactly what `npm run db:seed` does — then writes
 * <file>.json with the build time, file size and row counts. Builds into <file>.building first so an
 * interrupted build never leaves a half-filled database behind under the final name.
 */
import fs from 'node:fs';
import { createDb } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { seedDemoData } from '../../src/demo/seed.js';
import type { DatasetMeta } from './dataset.js';

const [firmsArg, seedArg, file, fingerprint] = process.argv.slice(2);
const firms = Number(firmsArg);
const seed = Number(seedArg);
if (!file || !fingerprint || !Number.isInteger(firms) || firms < 1 || !Number.isInteger(seed)) {
  console.error('usage: build-db.ts <firms> <seed> <file> <fingerprint>');
  process.exit(2);
}

const tmp = `${file}.building`;
for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) fs.rmSync(f, { force: true });

const fmt = (n: number) => n.toLocaleString('en-US');
console.log(`  building ${fmt(firms)} firms into ${file} (seedDemoData, seed ${seed}) …`);
const started = performance.now();
const db = createDb(`sqlite:${tmp}`);
try {
  await migrateLatest(db);
  let lastReport = started;
  await seedDemoData(db, {
    firms,
    seed,
    onProgress: (done, total) => {
      const now = performance.now();
      if (now - lastReport < 5000 && done !== total) return;
      lastReport = now;
      const secs = (now - started) / 1000;
      const rate = done / secs;
      const eta = done < total ? `, ~${Math.round((total - done) / rate)} s to go` : '';
      console.log(`    ${fmt(done).padStart(11)} / ${fmt(total)} firms  ${secs.toFixed(0).padStart(4)} s  ${fmt(Math.round(rate))} firms/s${eta}`);
    },
  });
  const rows: Record<string, number> = {};
  for (const table of ['firms', 'stage_events', 'annual_figures', 'list_entries', 'stage_counts', 'users', 'parks']) {
    if (!(await db.schema.hasTable(table))) continue;
    const r = (await db(table).count({ n: '*' }).first()) as { n: number | string } | undefined;
    rows[table] = Number(r?.n ?? 0);
  }
  const stat = (await db.raw("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'")) as { n: number }[];
  rows.sqlite_stat1_present = stat[0]?.n ?? 0;
  await db.destroy(); // closes the only connection: SQLite checkpoints and removes the WAL
  for (const f of [`${tmp}-wal`, `${tmp}-shm`]) fs.rmSync(f, { force: true });
  fs.renameSync(tmp, file);
  const meta: DatasetMeta = {
    firms,
    seed,
    fingerprint,
    builtAt: new Date().toISOString(),
    buildSeconds: (performance.now() - started) / 1000,
    fileBytes: fs.statSync(file).size,
    rows,
  };
  fs.writeFileSync(`${file}.json`, JSON.stringify(meta, null, 2));
  console.log(`  built in ${meta.buildSeconds.toFixed(1)} s: ${(meta.fileBytes / 1048576).toFixed(1)} MiB`);
} catch (err) {
  await db.destroy().catch(() => undefined);
  console.error(err);
  process.exitCode = 1;
}
