/**
 * PostgreSQL: this process hears of every data write made by any process on the same schema
 * (migration 20261203090003: statement triggers NOTIFY `miaopu_data` with the schema at commit) and
 * calls `onChange` — the app drops its read-model caches (lib/cache.ts), so a dashboard cached here
 * is never staler than the notification's delivery after a write elsewhere. While the listening
 * connection is down the caches' TTL bounds staleness; on reconnecting, `onChange` runs once, for
 * whatever was missed. SQLite is one process per database file: nothing to listen to.
 */
import type { Knex } from 'knex';
import pg from 'pg';
import { log } from '../lib/log.js';
import { isPostgres } from './dialect.js';
import { locateDb } from './knex.js';

export interface ChangeFeed {
  stop(): Promise<void>;
}

export async function startChangeFeed(db: Knex, onChange: () => void, opts: { maxRetryMs?: number } = {}): Promise<ChangeFeed | null> {
  const location = locateDb(db);
  if (!isPostgres(db) || !location) return null;
  const schema = ((await db.raw('SELECT current_schema() AS s')) as { rows: { s: string }[] }).rows[0]!.s;
  let client: pg.Client | null = null;
  let stopped = false;
  let connectedBefore = false;
  let retryMs = 1000;
  let timer: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: location.url, application_name: 'miaopu-change-feed', keepAlive: true });
    c.on('notification', (m) => {
      if (m.channel === 'miaopu_data' && m.payload === schema) onChange();
    });
    c.on('error', (err) => {
      log.warn('the change feed lost its connection; caches fall back to their TTL until it is back', { err });
      retry(c);
    });
    c.on('end', () => retry(c));
    try {
      await c.connect();
      await c.query('LISTEN miaopu_data');
    } catch (err) {
      log.warn('the change feed cannot listen yet; retrying', { retryInMs: retryMs, err });
      retry(c);
      return;
    }
    if (connectedBefore) onChange(); // writes may have gone by while it was away
    connectedBefore = true;
    client = c;
    retryMs = 1000;
  };

  const retry = (c: pg.Client) => {
    c.removeAllListeners('end');
    c.end().catch(() => undefined);
    if (stopped || timer) return;
    if (client === c) client = null;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(opts.maxRetryMs ?? 30_000, retryMs * 2);
  };

  await connect();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => undefined);
      }
    },
  };
}
