/**
 * What a statement is, for a log line: its kind and the table it names ("update firms"), never its
 * text, whose literals and (with knex's formatting) bound values can hold what a user typed.
 */
const TABLE_AFTER = /\b(?:from|into|update|table|join)\s+[`"[]?([\w.]+)/i;

export function describeStatement(sql: string): string {
  const kind = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'statement';
  const table = TABLE_AFTER.exec(sql)?.[1];
  return table ? `${kind} ${table}` : kind;
}
