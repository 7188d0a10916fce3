/**
 * Fault injection for the fault tests: a small tmpfs to fill or make read-only (root only: elsewhere
 * the tests say why they cannot run and stop), another process holding SQLite's write lock, and
 * TCP servers that refuse or swallow PostgreSQL connections.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Fill the file system to the last byte, or all but `leaveBytes` (a filler file); `free()` removes it. */
  fill(leaveBytes?: number): void;
  free(): void;
  remount(mode: 'ro' | 'rw'): void;
  unmount(): void;
}

/** Why a tmpfs cannot be mounted here, or null when it can. */
export function tmpfsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'needs Linux (tmpfs)';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root to mount a tmpfs';
  return null;
}

export function mountTmpfs(sizeMiB: number): Tmpfs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-fault-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  const filler = path.join(dir, 'filler');
  return {
    dir,
    fill(leaveBytes = 0) {
      const fd = fs.openSync(filler, 'a');
      try {
        for (const size of [1 << 20, 1 << 12, 1]) {
          const chunk = Buffer.alloc(size, 1);
          for (;;) {
            try {
              fs.writeSync(fd, chunk);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
        if (leaveBytes) fs.ftruncateSync(fd, Math.max(0, fs.fstatSync(fd).size - leaveBytes));
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    remount(mode) {
      execFileSync('mount', ['-o', `remount,${mode}`, dir]);
    },
    unmount() {
      execFileSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Another process that holds SQLite's write lock (BEGIN IMMEDIATE) until `release()`. */
export interface LockHolder {
  release(): Promise<void>;
}

const LOCK_SCRIPT = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('LOCKED\\n');
process.stdin.on('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
`;

export async function holdWriteLock(file: string): Promise<LockHolder> {
  const child: ChildProcess = spawn(process.execPath, ['-e', LOCK_SCRIPT, file], { stdio: ['pipe', 'pipe', 'inherit'], cwd: process.cwd() });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('LOCKED') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.stdin!.write('x');
      }),
  };
}

/** A local port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A local server that accepts connections and never answers, like a network that drops packets. */
export async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
