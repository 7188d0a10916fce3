/**
 * What a request may carry, checked once for every route before any handler reads it:
 *
 * - a body only in a form's encodings: URL-encoded (UTF-8) everywhere, multipart/form-data only on
 *   the routes that take a file (they parse it themselves, see web/upload.ts); anything else, such
 *   as text/plain or JSON, is refused with 415 and never parsed;
 * - form fields and query parameters as flat strings (repeated names become lists of strings) of
 *   bounded size, with no control characters: a NUL, which PostgreSQL cannot store and which no
 *   form can type, is refused with 400 wherever it appears, path included.
 *
 * Whether a field may repeat is the handler's to say: the form helpers (web/forms.ts) refuse a
 * list where they read one value.
 */
import express, { type Request, type RequestHandler } from 'express';
import { AppError, BadRequestError } from '../lib/errors.js';

/** Routes whose body is a multipart upload; each parses its own (csrf.ts defers its check for them). */
const MULTIPART_ROUTES = new Set(['/lists/imports']);

export function acceptsMultipart(path: string): boolean {
  return MULTIPART_ROUTES.has(path);
}

/** Longest single value a form may send: far above any field's own limit, far below the body limit. */
export const MAX_FIELD_CHARS = 20_000;

export const inputMessages = {
  unsupportedType: '提交的内容格式不受支持。请在本系统的页面上填写表单后提交。',
  badCharacters: '提交的内容含有无法识别的控制字符（如 NUL），请删除后重试。',
  badEncoding: '提交的内容编码有误，无法识别。请在本系统的页面上重新填写后提交。',
  fieldTooLong: `提交的某一项内容过长（超过 ${MAX_FIELD_CHARS.toLocaleString('en-US')} 个字符）。`,
} as const;

export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super('UNSUPPORTED_MEDIA_TYPE', inputMessages.unsupportedType, 415);
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(req: Request): boolean {
  if (req.get('transfer-encoding') !== undefined) return true;
  const length = req.get('content-length');
  return length !== undefined && length !== '0';
}

/**
 * A browser percent-encodes a form as UTF-8; a body that does not decode (a broken escape, bytes
 * that are not UTF-8) would otherwise be stored with replacement characters in it.
 */
function verifyEncoding(_req: unknown, _res: unknown, buf: Buffer): void {
  const text = buf.toString('latin1');
  for (const part of text.split(/[&=]/)) {
    if (!part.includes('%')) continue;
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new BadRequestError('BAD_ENCODING', inputMessages.badEncoding);
    }
  }
}

const urlencoded = express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 500, verify: verifyEncoding });

/** Parses the one body encoding forms use, refuses the others; every request gets a req.body object. */
export const formBodies: RequestHandler = (req, res, next) => {
  if (!BODY_METHODS.has(req.method)) {
    req.body = {};
    return next();
  }
  if (!hasBody(req) && !req.get('content-type')) {
    req.body = {};
    return next();
  }
  if (req.is('application/x-www-form-urlencoded')) {
    // Our pages send UTF-8; a form decoded as another charset would store garbled Chinese.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') return next(new UnsupportedMediaTypeError());
    return urlencoded(req, res, (err?: unknown) => {
      if (err) return next(err);
      req.body ??= {};
      next();
    });
  }
  if (req.is('multipart/form-data') && acceptsMultipart(req.path)) {
    req.body = {};
    return next();
  }
  next(new UnsupportedMediaTypeError());
};

// C0 controls and DEL, except tab, line feed and carriage return (a textarea sends those).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// The same, percent-encoded in a raw path (Express decodes route parameters only when read).
const ENCODED_CONTROL = /%(0[0-8bcef]|1[0-9a-f]|7f)/i;

function checkValue(value: unknown): void {
  if (typeof value !== 'string') return;
  if (CONTROL.test(value)) throw new BadRequestError('CONTROL_CHARACTER', inputMessages.badCharacters);
  if (value.length > MAX_FIELD_CHARS) throw new AppError('FIELD_TOO_LONG', inputMessages.fieldTooLong, 413);
}

function checkFields(fields: unknown): void {
  if (!fields || typeof fields !== 'object') return;
  for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
    checkValue(key);
    if (Array.isArray(value)) value.forEach(checkValue);
    else checkValue(value);
  }
}

/** Refuses control characters and oversized values in the path, the query and a parsed form body. */
export const inputGuard: RequestHandler = (req, _res, next) => {
  if (ENCODED_CONTROL.test(req.path) || CONTROL.test(req.path)) return next(new BadRequestError('CONTROL_CHARACTER', inputMessages.badCharacters));
  try {
    checkFields(req.query);
    checkFields(req.body);
  } catch (err) {
    return next(err);
  }
  next();
};

/** The same check for fields parsed later, by a route's own multipart parser. */
export function checkParsedFields(fields: unknown): void {
  checkFields(fields);
}
