/**
 * An app on a fresh test database, listening on a local port, with the basic parks and users, and
 * signed-in clients per user that send the CSRF token and a matching Origin on unsafe requests.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { parse, type HTMLElement } from 'node-html-parser';
import request from 'supertest';
import { type AppOptions, createApp } from '../../src/app.js';
import type { Actor } from '../../src/domain/actor.js';
import { type AppConfig, testConfig } from '../../src/config.js';
import { clearDashboardCache } from '../../src/features/dashboard/dashboard.service.js';
import { type Basics, TEST_PASSWORD, seedBasics } from './factories.js';
import { createTestDb, type TestDbOptions } from './test-db.js';

export type UserName = keyof Basics['users'];

export function html(text: string): HTMLElement {
  return parse(text);
}

export function csrfFrom(page: string): string {
  const meta = html(page).querySelector('meta[name="csrf-token"]')?.getAttribute('content');
  const field = html(page).querySelector('input[name="_csrf"]')?.getAttribute('value');
  const token = meta ?? field;
  if (!token) throw new Error('no CSRF token in page');
  return token;
}

/** A browser-like client: keeps cookies, and sends the token and our Origin on unsafe requests. */
export class Client {
  token = '';
  /** Who is signed in (set by TestContext.as), for tests that adapt to the user's role. */
  user: Actor | null = null;
  readonly agent: ReturnType<typeof request.agent>;
  constructor(
    readonly server: Server,
    readonly origin: string,
  ) {
    this.agent = request.agent(server);
  }
  get(url: string) {
    return this.agent.get(url);
  }
  post(url: string) {
    return this.agent.post(url).set('Origin', this.origin).set('X-CSRF-Token', this.token);
  }
  /** POST as a plain HTML form would: token in the body, no custom header. */
  postForm(url: string, body: Record<string, unknown>) {
    return this.agent.post(url).set('Origin', this.origin).type('form').send({ _csrf: this.token, ...body });
  }
  async refreshToken(url = '/account/password'): Promise<void> {
    const res = await this.agent.get(url);
    this.token = csrfFrom(res.text);
  }
  async login(username: string, password = TEST_PASSWORD): Promise<request.Response> {
    const page = await this.agent.get('/login');
    const res = await this.agent.post('/login').set('Origin', this.origin).type('form').send({ _csrf: csrfFrom(page.text), username, password });
    if (res.status === 303) await this.refreshToken();
    return res;
  }
}

export interface TestContext {
  db: Knex;
  app: Express;
  server: Server;
  origin: string;
  basics: Basics;
  dialect: 'sqlite' | 'postgres';
  /** Where this app keeps uploaded files (incoming/ holds uploads still being received). */
  uploadDir: string;
  /** Signed in as the basic admin. */
  admin: Client;
  /** A client signed in as one of the basic users (cached per context). */
  as(user: UserName): Promise<Client>;
  anonymous(): Client;
  destroy(): Promise<void>;
}

export async function createTestContext(
  opts: TestDbOptions & { config?: Partial<AppConfig> & Pick<AppOptions, 'searchRateLimit'> } = {},
): Promise<TestContext> {
  const t = await createTestDb(opts);
  const basics = await seedBasics(t.db);
  clearDashboardCache();
  const config = testConfig(opts.config);
  const app = createApp(t.db, { ...config, searchRateLimit: opts.config?.searchRateLimit });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = new Map<UserName, Client>();
  const as = async (user: UserName) => {
    let c = clients.get(user);
    if (!c) {
      c = new Client(server, origin);
      const res = await c.login(user);
      if (res.status !== 303) throw new Error(`login as ${user} failed: ${res.status}`);
      c.user = basics.users[user];
      clients.set(user, c);
    }
    return c;
  };
  const admin = await as('admin');
  return {
    db: t.db,
    app,
    server,
    origin,
    basics,
    dialect: t.dialect,
    uploadDir: config.uploadDir,
    admin,
    as,
    anonymous: () => new Client(server, origin),
    async destroy() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.destroy();
      // Only the folder testConfig made; one a test passed in (a tmpfs mount) is that test's.
      if (!opts.config?.uploadDir) fs.rmSync(config.uploadDir, { recursive: true, force: true });
    },
  };
}

/** Everything a refused request must leave untouched. */
export async function snapshot(db: Knex) {
  const [firms, events, audit, counts, users, batches, entries] = await Promise.all([
    db('firms').select('id', 'uscc', 'name', 'stage', 'version', 'park_id', 'updated_at').orderBy('id'),
    db('stage_events').count({ n: '*' }).first(),
    // Sign-ins and refused requests are audited as events, not as changes a request made.
    db('audit_log').whereNot('action', 'like', 'login.%').whereNot('action', 'access.denied').count({ n: '*' }).first(),
    db('stage_counts').select().orderBy(['park_key', 'field_key', 'stage']),
    db('users').select('id', 'role', 'is_active', 'version', 'password_hash').orderBy('id'),
    db('import_batches').select('id', 'status', 'version').orderBy('id'),
    db('list_entries').select('id', 'is_current').orderBy('id'),
  ]);
  return { firms, events: Number(events?.n), audit: Number(audit?.n), counts, users, batches, entries, coaching: await coachingSnapshot(db) };
}

/** Coaching records (issue 9): interactions, follow-ups with their state, plans, templates, thresholds. */
export async function coachingSnapshot(db: Knex) {
  const count = async (table: string) => Number(((await db(table).count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);
  return {
    interactions: await count('interactions'),
    interactionFirms: await count('interaction_firms'),
    followUps: await db('follow_ups').select('id', 'status', 'version', 'due_on').orderBy('id'),
    plans: await db('coaching_plans').select('firm_id', 'version').orderBy('firm_id'),
    templates: await db('coaching_templates').select('id', 'version').orderBy('id'),
    contactRules: await db('coaching_contact_rules').select('stage', 'days').orderBy('stage'),
  };
}
