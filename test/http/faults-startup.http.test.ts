/**
 * Faults around the database as a whole (issue 8 item 4): PostgreSQL unreachable (a closed port, a
 * server that accepts and never answers) answers 503 within 5 s and the server waits for it at
 * start-up instead of exiting; a read-only SQLite database starts the app read-only with a banner.
 * These make their own databases and servers, so they run the same in both passes of the suite.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { createDb } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { blackHole, closedPort, mountTmpfs, tmpfsUnavailable } from '../helpers/faults.js';
import { seedBasics } from '../helpers/factories.js';
import { html } from '../helpers/test-app.js';

describe('Faults: PostgreSQL unreachable', function () {
  // The start-up test compiles and starts the real server, slow on a busy machine.
  this.timeout(60_000);

  async function answersOf(url: string) {
    const db = createDb(url, { poolMax: 2 });
    const app = createApp(db, testConfig());
    try {
      const started = Date.now();
      const health = await request(app).get('/healthz');
      const healthMs = Date.now() - started;
      const login = await request(app).get('/login');
      const loginMs = Date.now() - started - healthMs;
      return { health, healthMs, login, loginMs };
    } finally {
      await db.destroy();
    }
  }

  it('When nothing listens on the port, then /healthz and the login page answer 503 at once with a Chinese message', async () => {
    const { health, login, loginMs } = await answersOf(`postgres://postgres@127.0.0.1:${await closedPort()}/test`);
    expect(health.status).to.equal(503);
    expect(health.text).to.match(/database unreachable/);
    expect(login.status).to.equal(503);
    expect(html(login.text).querySelector('.error-message')!.text).to.contain('暂时无法连接数据库');
    expect(loginMs).to.be.below(5000);
  });

  it('When the server accepts but never answers (packets dropped), then the answer is 503 within 5 s, not a hang', async () => {
    const hole = await blackHole();
    try {
      const { health, healthMs, login, loginMs } = await answersOf(`postgres://postgres@127.0.0.1:${hole.port}/test`);
      expect(health.status).to.equal(503);
      expect(healthMs).to.be.below(5000);
      expect(login.status).to.equal(503);
      expect(loginMs).to.be.below(5000);
    } finally {
      await hole.close();
    }
  });

  it('When PostgreSQL is down at start-up, then the server keeps retrying with backoff instead of exiting', async () => {
    const port = await closedPort();
    const server = startServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` });
    try {
      const lines = await server.waitFor((ls) => ls.filter((l) => l.msg === 'database unreachable at start-up, retrying').length >= 2, 45_000);
      const retries = lines.filter((l) => l.msg === 'database unreachable at start-up, retrying');
      expect(retries.map((l) => l.retryInMs)).to.deep.equal([1000, 2000]);
      expect(server.child.exitCode).to.equal(null);
    } finally {
      server.stop();
    }
  });
});

describe('Faults: a read-only SQLite database at start-up', function () {
  this.timeout(40_000);
  before(function () {
    const why = tmpfsUnavailable();
    if (why) {
      console.log(`    (read-only start test not run: ${why})`);
      this.skip();
    }
  });

  it('When the database file sits on a read-only mount, then the app starts read-only: pages show the banner, /healthz says read-only, signing in answers 503', async () => {
    const mount = mountTmpfs(32);
    const file = path.join(mount.dir, 'miaopu.sqlite');
    const db = createDb(`sqlite:${file}`);
    await migrateLatest(db);
    await seedBasics(db);
    await db.destroy();
    mount.remount('ro');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const server = startServer({ DATABASE_URL: `sqlite:${file}`, PORT: String(port), UPLOAD_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-up-')) });
    try {
      await server.waitFor((ls) => ls.some((l) => l.msg === 'Miaopu is listening'), 30_000);
      const base = `http://127.0.0.1:${port}`;
      const health = await request(base).get('/healthz');
      expect(health.status).to.equal(503);
      expect(health.text).to.contain('read-only');
      const login = await request(base).get('/login');
      expect(login.status).to.equal(503);
      expect(html(login.text).querySelector('.readonly-banner')!.text).to.contain('只读');
      expect(html(login.text).querySelector('.error-message')!.text).to.contain('只读');
      expect(server.child.exitCode).to.equal(null);
    } finally {
      server.stop();
      mount.unmount();
    }
  });
});

interface ServerLine {
  msg: string;
  [k: string]: unknown;
}

/** The real server (src/server.ts) in a child process, its JSON log lines collected. */
function startServer(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', MIAOPU_DEMO: '0', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: ServerLine[] = [];
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as ServerLine);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => lines.push({ msg: d.toString() }));
  return {
    child,
    waitFor(done: (ls: ServerLine[]) => boolean, ms: number): Promise<ServerLine[]> {
      const until = Date.now() + ms;
      return new Promise((resolve, reject) => {
        const tick = () => {
          if (done(lines)) return resolve(lines);
          if (child.exitCode !== null || Date.now() > until) return reject(new Error(`server (exit ${child.exitCode}) did not log it:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
          setTimeout(tick, 100);
        };
        tick();
      });
    },
    stop() {
      child.kill('SIGKILL');
    },
  };
}
