/**
 * One place turns errors into responses: a full page for a browser, an in-place message for htmx.
 * Users never see a stack trace or SQL; the details go to the server log with a reference number
 * the user can quote.
 */
import crypto from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, FaultError, NotFoundError, faultOf } from '../lib/errors.js';
import { log } from '../lib/log.js';
import { isFragmentRequest } from './render.js';

const messages = {
  notFound: '找不到这个页面，可能地址有误，或企业已被更正信用代码。',
  badRequest: '请求的内容无法识别，请返回重试。',
  tooLarge: '提交的内容过大。',
  unsupported: '提交的内容格式不受支持。请在本系统的页面上填写表单后提交。',
  busy: '系统繁忙（数据库正在处理其他操作），请稍后重试。',
  internal: '系统出错了，请稍后重试。如果问题持续，请把下面的编号告诉管理员。',
} as const;

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
}

/**
 * A request the app cannot read (body-parser's and the router's errors): 413 for too much, 415
 * for an encoding we do not take, 400 for the rest. Never the user's data problem, never a 500.
 */
function unreadableRequestError(err: unknown): AppError | null {
  const e = err as HttpishError;
  const status = e?.status ?? e?.statusCode;
  if (status === 413 || e?.type === 'entity.too.large' || e?.type === 'parameters.too.many') return new AppError('PAYLOAD_TOO_LARGE', messages.tooLarge, 413);
  if (status === 415 || e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return new AppError('UNSUPPORTED_MEDIA_TYPE', messages.unsupported, 415);
  if (status === 400 || e?.type === 'entity.parse.failed' || e?.type === 'request.aborted' || e?.type === 'request.size.invalid' || err instanceof URIError) {
    return new AppError('BAD_REQUEST', messages.badRequest, 400);
  }
  return null;
}

function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  return unreadableRequestError(err);
}

/**
 * Server faults (disk full, database locked past the wait, read-only, unreachable): 503 with a
 * message that says what happened and that nothing was saved (lib/errors.ts FAULT_MESSAGES).
 */
function toFaultError(err: unknown): FaultError | null {
  if (err instanceof FaultError) return err;
  const kind = faultOf(err);
  return kind ? new FaultError(kind, err) : null;
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('PAGE_NOT_FOUND', messages.notFound));
};

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const known = toFaultError(err) ?? toAppError(err);
  const status = known?.status ?? 500;
  // The request line (web/request-log.ts) carries the id, the code and, for a server error, the error itself.
  const requestId = (req as { id?: unknown }).id;
  const reference = typeof requestId === 'string' ? requestId : crypto.randomBytes(4).toString('hex');
  if (known) res.locals.refusal = known.code;
  if (status >= 500) {
    (res as { err?: unknown }).err = err;
    if (typeof requestId !== 'string') log.error('request failed', { reference, method: req.method, url: req.originalUrl, err });
  }
  if (res.headersSent) return;
  const message = known && (status < 500 || known instanceof FaultError) ? known.message : status === 503 ? messages.busy : messages.internal;
  res.status(status).vary('HX-Request');
  if (known instanceof FaultError && known.kind === 'busy') res.set('Retry-After', '5');
  if (isFragmentRequest(req)) {
    res
      .set({ 'HX-Retarget': '#flash', 'HX-Reswap': 'innerHTML' })
      .render('partials/shared/alert', { layout: false, level: 'error', message, reference: status >= 500 ? reference : null });
    return;
  }
  const title = status === 404 ? '页面不存在' : status === 403 ? '没有权限' : known instanceof FaultError ? '暂时无法完成' : status >= 500 ? '系统出错' : '无法完成操作';
  res.render('errors/error', { title, status, message, reference: status >= 500 ? reference : null });
};
