/**
 * Start another app process on a database (test/helpers/app-child.ts) and learn its address: the
 * two-process tests and the benchmark's two-process case. It ends when disconnected.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbLocation } from '../../src/db/knex.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app-child.ts');

export function startAppProcess(location: DbLocation | null, opts: { changeFeed: boolean; production?: boolean; env?: Record<string, string> }): Promise<{ child: ChildProcess; origin: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify({ location, changeFeed: opts.changeFeed, production: opts.production ?? false })], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LOG_LEVEL: 'error', ...opts.env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (m: { port: number }) => resolve({ child, origin: `http://127.0.0.1:${m.port}` }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`app process exited with ${code}`)));
  });
}
