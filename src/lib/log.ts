/**
 * The server log: pino, one JSON object per line on stdout, so control characters in user input
 * cannot forge log lines. Everyone logs through `log.info/warn/error/debug(msg, fields)`; the HTTP
 * request line (web/request-log.ts) shares this logger.
 *
 * What never reaches a line: passwords, cookies, CSRF and session tokens, secrets (redacted by
 * name wherever they sit), SQL text (an error carries only its statement's kind and table, see
 * db/statements.ts), and long strings (cut at MAX_STRING characters).
 */
import { pino, type Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];

/** LOG_LEVEL wins; under `npm test` only errors, and the test helpers capture even those (test/helpers/log-capture.ts). */
function initialLevel(): Level {
  const env = process.env.LOG_LEVEL;
  if (env && LEVELS.includes(env)) return env as Level;
  return process.env.NODE_ENV === 'test' || process.env.npm_lifecycle_event === 'test' ? 'error' : 'info';
}

export const MAX_STRING = 1000;
const MAX_DEPTH = 5;

/** Names whose values are secrets wherever they appear (one level deep and at the top). */
const SECRET_KEYS = ['password', 'newPassword', 'currentPassword', 'password_hash', 'passwordHash', 'token', 'csrfToken', '_csrf', 'secret', 'sessionSecret', 'cookie', 'sid', 'authorization'];
const REDACT = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

function truncate(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length} characters)` : value;
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => truncate(v, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = truncate(v, depth + 1);
  return out;
}

/** An error as a log field: what it is and where, never SQL text or a driver's detail (it can hold values). */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return truncate(err);
  const e = err as Error & { code?: unknown; statement?: unknown; status?: unknown; rollbackError?: unknown; cause?: unknown };
  return {
    type: e.name,
    message: truncate(e.message),
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.statement !== undefined ? { statement: e.statement } : {}),
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.rollbackError !== undefined ? { rollbackError: e.rollbackError } : {}),
    ...(e.cause !== undefined ? { cause: serializeError(e.cause) } : {}),
    stack: typeof e.stack === 'string' ? e.stack.split('\n').slice(0, 12).join('\n') : undefined,
  };
}

type Sink = (line: string) => void;
let sink: Sink | null = null;

/** Tests capture lines instead of printing them (test/helpers/log-capture.ts); null restores stdout. */
export function setLogSink(next: Sink | null): void {
  sink = next;
}

const destination = {
  write(line: string): void {
    if (sink) sink(line);
    else process.stdout.write(line);
  },
};

export const logger: Logger = pino(
  {
    level: initialLevel(),
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => truncate(fields) as Record<string, unknown>,
    },
    serializers: { err: serializeError },
    redact: { paths: REDACT, censor: '[redacted]' },
  },
  destination,
);

export function setLogLevel(level: Level): void {
  logger.level = level;
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (fields) logger[level](fields, msg);
  else logger[level](msg);
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
};
