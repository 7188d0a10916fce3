/**
 * A database with no users gets one admin, so the app can be entered at all. Passwords and the
 * production first-start flow arrive with accounts (issue 3).
 */
import type { Knex } from 'knex';
import { nowIso } from '../../lib/dates.js';
import { log } from '../../lib/log.js';

export async function ensureFirstAdmin(db: Knex): Promise<void> {
  const any = await db('users').first('id');
  if (any) return;
  const at = nowIso();
  await db('users').insert({ username: 'admin', display_name: '系统管理员', role: 'admin', is_active: true, version: 1, created_at: at, updated_at: at });
  log.info('created the first admin user', { username: 'admin' });
}
