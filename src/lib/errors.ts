/**
 * Expected failures carry a stable code, an HTTP status and a message a caseworker can read.
 * Anything else is a bug: the error handler logs it and shows a generic page.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 404);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}

export class ForbiddenError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 403);
  }
}

export class BadRequestError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 400);
  }
}

/** Form input that breaks a rule; the handler re-renders its own form with these field errors. */
export class ValidationError extends AppError {
  constructor(
    readonly fieldErrors: Record<string, string>,
    message = '请修改标出的内容后再保存。',
    code = 'VALIDATION_FAILED',
  ) {
    super(code, message, 422);
  }
}

/**
 * Faults of the server rather than of the request: the disk is full, the database is locked by
 * someone else past the wait, read-only, or unreachable; the upload folder cannot be written.
 * They answer 503 with one of these messages, and go away by themselves once the cause does.
 */
export type FaultKind = 'disk_full' | 'busy' | 'read_only' | 'unavailable' | 'storage';

export const FAULT_MESSAGES: Record<FaultKind, string> = {
  disk_full: '磁盘已满，数据未保存，请联系管理员。',
  busy: '系统繁忙（数据库正在处理其他操作），数据未保存，请稍后重试。',
  read_only: '数据库目前为只读状态（维护中），数据未保存，请联系管理员。',
  unavailable: '暂时无法连接数据库，请稍后重试；如果一直这样，请联系管理员。',
  storage: '服务器无法保存上传的文件（存储目录不可写或空间不足），这不是文件的问题，请联系管理员。',
};

interface CodedError {
  code?: unknown;
  errno?: unknown;
  name?: unknown;
  message?: unknown;
}

const PG_UNAVAILABLE = /^(08|57P0[123])/;
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
/** node-postgres and knex say these in words only. */
const UNAVAILABLE_TEXT = /Connection terminated|^timeout expired$|connection timeout|Query read timeout|timeout exceeded when trying to connect|Timeout acquiring a connection|Client has encountered a connection error/i;

export function isBusyError(err: unknown): boolean {
  const code = (err as CodedError | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED');
}

/** Which server fault an error is, or null for anything else (a bug, or a request's own problem). */
export function faultOf(err: unknown): FaultKind | null {
  const e = err as CodedError | null;
  if (!e || typeof e !== 'object') return null;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'SQLITE_FULL' || code === '53100') return 'disk_full';
  if (isBusyError(e) || ['57014', '55P03', '40001', '40P01', '53300'].includes(code)) return 'busy';
  if (code.startsWith('SQLITE_READONLY') || code === '25006') return 'read_only';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || PG_UNAVAILABLE.test(code) || NET_UNAVAILABLE.has(code)) return 'unavailable';
  if (e.name === 'KnexTimeoutError' || (typeof e.message === 'string' && UNAVAILABLE_TEXT.test(e.message))) return 'unavailable';
  return null;
}

/** A file-system error while the server stores a file (upload folder): never the user's fault. */
export function storageFaultOf(err: unknown): FaultKind | null {
  const code = (err as CodedError | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'disk_full';
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'EIO') return 'storage';
  return null;
}

/** A server fault carried as an AppError (503), e.g. from a worker thread or an upload. */
export class FaultError extends AppError {
  constructor(
    readonly kind: FaultKind,
    cause?: unknown,
  ) {
    super(`FAULT_${kind.toUpperCase()}`, FAULT_MESSAGES[kind], 503);
    if (cause !== undefined) this.cause = cause;
  }
}
