/**
 * The `lock` case of the benchmark (issue 8 item 5): another process takes SQLite's write lock in
 * bursts (held 400 ms, free 100 ms — an import's chunks, a backup, the sqlite3 shell) while
 * /board and /healthz are loaded and stage moves are made. The web process must keep answering:
 * reads never wait on the lock, and a move waits only for the lock itself, asynchronously.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const BURST_SCRIPT = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { timeout: 5000 });
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const until = Date.now() + Number(process.argv[2]);
let bursts = 0;
while (Date.now() < until) {
  db.exec('BEGIN IMMEDIATE');
  sleep(400);
  db.exec('ROLLBACK');
  bursts++;
  sleep(100);
}
process.stdout.write(String(bursts));
`;

export function startLockBursts(dbFile: string, durationMs: number): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(process.execPath, ['-e', BURST_SCRIPT, dbFile, String(durationMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number>((resolve) => child.on('exit', () => resolve(Number(out) || 0)));
  return { child, done };
}
