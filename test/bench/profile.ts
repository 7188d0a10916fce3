/**
 * A V8 CPU profile of one stretch of code (node:inspector, in-process), boiled down to self time per
 * package / app file and the hottest functions. Used by the import benchmark (--import-profile).
 */
import inspector from 'node:inspector';

export interface ProfileSummary {
  totalMs: number;
  buckets: { name: string; ms: number }[];
  functions: { name: string; ms: number }[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

const SQLITE_RUN = 'SQLite: run / all / get (better-sqlite3 native)';
/**
 * Native better-sqlite3 entry points (no URL in the profile), and named JS wrappers whose self time
 * is really the native work they call (sqliteExecute in import-case.ts).
 */
const NATIVE: Record<string, string> = {
  run: SQLITE_RUN,
  all: SQLITE_RUN,
  get: SQLITE_RUN,
  iterate: SQLITE_RUN,
  sqliteExecute: SQLITE_RUN,
  Statement: 'SQLite: prepare (better-sqlite3 native new Statement)',
};

function bucketOf(url: string, fn: string): string {
  if (!url && NATIVE[fn]) return NATIVE[fn]!;
  if (fn === 'sqliteExecute') return SQLITE_RUN;
  if (!url) return fn.startsWith('(') ? fn : `native ${fn || '(anonymous)'}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return `app ${url.slice(src + 5)}`;
  const tb = url.indexOf('/test/bench/');
  if (tb >= 0) return `bench ${url.slice(tb + 12)}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

export function summarizeProfile(prof: CpuProfile): ProfileSummary {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const samples = prof.samples ?? [];
  const deltas = prof.timeDeltas ?? [];
  const self = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + dt);
  }
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += t;
    const { url, functionName, lineNumber } = n.callFrame;
    const b = bucketOf(url, functionName);
    buckets.set(b, (buckets.get(b) ?? 0) + t);
    const where = url ? ` ${bucketOf(url, '').replace(/^app /, '')}:${lineNumber + 1}` : '';
    const fname = `${functionName || '(anonymous)'}${where}`;
    functions.set(fname, (functions.get(fname) ?? 0) + t);
  }
  const top = (m: Map<string, number>, k: number) => [...m].map(([name, t]) => ({ name, ms: t })).sort((a, b) => b.ms - a.ms).slice(0, k);
  return { totalMs: total, buckets: top(buckets, 14), functions: top(functions, 12) };
}

/** Starts the CPU profiler of this thread; the returned function stops it and summarizes. */
export async function startProfile(): Promise<() => Promise<ProfileSummary>> {
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return async () => {
    const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
    session.disconnect();
    return summarizeProfile(profile);
  };
}
