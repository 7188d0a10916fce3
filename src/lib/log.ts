/**
 * Structured server log: one JSON object per line on stdout/stderr, so control characters in user
 * input cannot forge log lines. Secrets never go in; callers pass only what helps diagnose.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** LOG_LEVEL wins; tests are quiet unless something breaks. Read per line so tests can set it late. */
function threshold(): Level {
  const env = process.env.LOG_LEVEL as Level | undefined;
  if (env && env in ORDER) return env;
  return process.env.NODE_ENV === 'test' || process.env.npm_lifecycle_event === 'test' ? 'error' : 'info';
}

function serialiseError(err: unknown): unknown {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack, code: (err as { code?: unknown }).code };
  return err;
}

function write(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < ORDER[threshold()]) return;
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
  for (const [k, v] of Object.entries(fields)) entry[k] = k === 'err' ? serialiseError(v) : v;
  const line = JSON.stringify(entry) + '\n';
  (ORDER[level] >= ORDER.warn ? process.stderr : process.stdout).write(line);
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
};
