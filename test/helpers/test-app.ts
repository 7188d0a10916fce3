/** An app on a fresh test database, with the basic parks and users in place. */
import type { Express } from 'express';
import type { Knex } from 'knex';
import { parse, type HTMLElement } from 'node-html-parser';
import { createApp } from '../../src/app.js';
import { clearDashboardCache } from '../../src/features/dashboard/dashboard.service.js';
import { type Basics, seedBasics } from './factories.js';
import { createTestDb } from './test-db.js';

export interface TestContext {
  db: Knex;
  app: Express;
  basics: Basics;
  dialect: 'sqlite' | 'postgres';
  destroy(): Promise<void>;
}

export async function createTestContext(): Promise<TestContext> {
  const t = await createTestDb();
  const basics = await seedBasics(t.db);
  clearDashboardCache();
  const app = createApp(t.db, { production: false });
  return { db: t.db, app, basics, dialect: t.dialect, destroy: t.destroy };
}

export function html(text: string): HTMLElement {
  return parse(text);
}

/** Everything a refused request must leave untouched. */
export async function snapshot(db: Knex) {
  const [firms, events, audit, counts] = await Promise.all([
    db('firms').select('id', 'uscc', 'name', 'stage', 'version', 'park_id', 'updated_at').orderBy('id'),
    db('stage_events').count({ n: '*' }).first(),
    db('audit_log').count({ n: '*' }).first(),
    db('stage_counts').select().orderBy(['park_key', 'field_key', 'stage']),
  ]);
  return { firms, events: Number(events?.n), audit: Number(audit?.n), counts };
}
