/**
 * SQL-level helpers: record the statements a service call sends through knex, then time each one
 * on the app's own better-sqlite3 connection (same page cache, no knex overhead) and show its
 * EXPLAIN QUERY PLAN. That is how the benchmark names the slow query behind a slow figure.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import { repeat, type Summary } from './stats.js';

export interface Captured {
  sql: string;
  bindings: unknown[];
}

/** The statements `fn` sends through `db` (in order, duplicates kept). */
export async function captureQueries<T>(db: Knex, fn: () => Promise<T>): Promise<{ result: T; queries: Captured[] }> {
  const queries: Captured[] = [];
  const listener = (q: { sql: string; bindings?: readonly unknown[] }) => queries.push({ sql: q.sql, bindings: [...(q.bindings ?? [])] });
  db.on('query', listener);
  try {
    const result = await fn();
    return { result, queries };
  } finally {
    db.removeListener('query', listener);
  }
}

/** Borrow knex's single SQLite connection (the pool holds one) for raw statements. */
export async function withConnection<T>(db: Knex, fn: (conn: BetterSqlite3.Database) => Promise<T>): Promise<T> {
  const client = db.client as { acquireConnection(): Promise<BetterSqlite3.Database>; releaseConnection(c: unknown): Promise<void> };
  const conn = await client.acquireConnection();
  try {
    return await fn(conn);
  } finally {
    await client.releaseConnection(conn);
  }
}

/** knex's better-sqlite3 binding rules (Date → epoch ms, boolean → 0/1). */
export function formatBindings(bindings: readonly unknown[]): unknown[] {
  return bindings.map((b) => (b instanceof Date ? b.valueOf() : typeof b === 'boolean' ? Number(b) : b));
}

export function explainPlan(conn: BetterSqlite3.Database, sql: string, bindings: readonly unknown[]): string[] {
  const rows = conn.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...formatBindings(bindings)) as { id: number; parent: number; detail: string }[];
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((r) => {
    const d = (depth.get(r.parent) ?? -1) + 1;
    depth.set(r.id, d);
    return `${'  '.repeat(d)}${r.detail}`;
  });
}

export function timeStatement(conn: BetterSqlite3.Database, sql: string, bindings: readonly unknown[], budgetMs = 300): Promise<Summary> {
  const stmt = conn.prepare(sql);
  const args = formatBindings(bindings);
  const run = stmt.reader ? () => stmt.all(...args) : () => stmt.get(...args);
  return repeat(async () => run(), { warmup: 1, budgetMs, minRuns: 3, hardMs: Math.max(budgetMs, 3000) });
}

/** Index of the first `word` (case-insensitive, whole word) outside parentheses, or -1. */
function topLevel(sql: string, word: string): number {
  const re = new RegExp(`\\b${word}\\b`, 'gi');
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    const before = sql.slice(0, m.index);
    if ((before.match(/\(/g)?.length ?? 0) === (before.match(/\)/g)?.length ?? 0)) return m.index;
  }
  return -1;
}

/** The table a statement reads or writes first (outside subqueries), for "what does a request touch". */
export function mainTable(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  const verb = /^(insert|update|delete|replace)\b/i.exec(flat)?.[1];
  const at = verb ? 0 : topLevel(flat, 'from');
  const m = at < 0 ? null : /\b(?:from|into|update)\s+[`"]?(\w+)/i.exec(flat.slice(at));
  const table = m?.[1] ?? flat.slice(0, 20);
  return verb ? `${verb.toUpperCase()} ${table}` : table;
}

/**
 * One line of SQL with its bindings substituted, cut to `max` characters, for the report. A long
 * select list is shortened to "select <n columns> from", so the WHERE clause stays visible.
 */
export function showSql(q: Captured, max = 600): string {
  let i = 0;
  const text = q.sql.replace(/\?/g, () => {
    const b = q.bindings[i++];
    return typeof b === 'string' ? `'${b.replace(/'/g, "''")}'` : String(b);
  });
  let flat = text.replace(/\s+/g, ' ').trim();
  const from = topLevel(flat, 'from');
  if (/^select /i.test(flat) && from > 90) {
    const list = flat.slice(7, from);
    let depth = 0;
    let columns = 1;
    for (const ch of list) {
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if (ch === ',' && depth === 0) columns++;
    }
    const sub = /\(select/i.test(list) ? ' incl. a subquery' : '';
    flat = `select <${columns} columns${sub}> ${flat.slice(from)}`;
  }
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
