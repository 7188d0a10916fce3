/**
 * The benchmark databases: one SQLite file per firm count under /tmp/miaopu-bench/, built by
 * build-db.ts in a child process (so the seeding heap never shows up in the measured process) and
 * reused by later runs as long as the demo-data code and the migration list are unchanged.
 */
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = process.env.MIAOPU_BENCH_DIR ?? '/tmp/miaopu-bench';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

export interface DatasetMeta {
  firms: number;
  seed: number;
  fingerprint: string;
  builtAt: string;
  buildSeconds: number;
  fileBytes: number;
  rows: Record<string, number>;
}

export interface Dataset {
  file: string;
  meta: DatasetMeta;
  /** True when this run built the file (false: reused from an earlier run). */
  built: boolean;
}

export function dbFileFor(firms: number): string {
  return path.join(BENCH_DIR, `firms-${firms}.sqlite`);
}

function metaFileFor(firms: number): string {
  return `${dbFileFor(firms)}.json`;
}

/** What the data depends on: the demo generator and the set of migrations. */
export function dataFingerprint(): string {
  const h = crypto.createHash('sha1');
  const demoDir = path.join(ROOT, 'src/demo');
  for (const f of fs.readdirSync(demoDir).sort()) h.update(f).update(fs.readFileSync(path.join(demoDir, f)));
  for (const f of fs.readdirSync(path.join(ROOT, 'migrations')).sort()) h.update(f);
  return h.digest('hex').slice(0, 12);
}

export function readMeta(firms: number): DatasetMeta | null {
  try {
    return JSON.parse(fs.readFileSync(metaFileFor(firms), 'utf8')) as DatasetMeta;
  } catch {
    return null;
  }
}

export function removeDataset(firms: number): void {
  for (const f of [dbFileFor(firms), `${dbFileFor(firms)}-wal`, `${dbFileFor(firms)}-shm`, metaFileFor(firms)]) fs.rmSync(f, { force: true });
}

/**
 * Reuse the cached database for `firms`, or build it (printing progress) when missing or stale.
 * `reuse` keeps a stale one anyway (the caller then migrates it to the latest schema): quicker at
 * 1M firms, but tables the newer demo code fills may be empty.
 */
export async function ensureDataset(firms: number, options: { seed: number; rebuild: boolean; reuse?: boolean }): Promise<Dataset> {
  const fingerprint = dataFingerprint();
  const meta = readMeta(firms);
  const file = dbFileFor(firms);
  if (!options.rebuild && meta && fs.existsSync(file)) {
    if (meta.seed === options.seed && (meta.fingerprint === fingerprint || options.reuse)) {
      if (meta.fingerprint !== fingerprint) console.log(`  reusing ${path.basename(file)} although src/demo/ or the migration list changed since it was built (--reuse)`);
      return { file, meta, built: false };
    }
    console.log(`  cached ${path.basename(file)} was built from other demo code or migrations (${meta.fingerprint} ≠ ${fingerprint}): rebuilding (--reuse keeps it)`);
  }
  removeDataset(firms);
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    // fork() passes on process.execArgv, i.e. tsx's loader, so the child runs TypeScript too.
    const child = fork(path.join(HERE, 'build-db.ts'), [String(firms), String(options.seed), file, fingerprint], {
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: '', LOG_LEVEL: 'warn' },
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the ${firms}-firm database failed (exit ${code})`))));
  });
  const built = readMeta(firms);
  if (!built) throw new Error(`build-db.ts did not write ${metaFileFor(firms)}`);
  return { file, meta: built, built: true };
}
