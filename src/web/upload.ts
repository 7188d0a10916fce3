/**
 * Receiving one uploaded file (multer on busboy), so that no upload can take the process down or
 * leave anything behind:
 *
 * - every outcome arrives as one settled promise: a malformed body, a second file, a file in the
 *   wrong field, a truncated or aborted body, or a refusal, all become an UploadRefusedError (or
 *   the CSRF ForbiddenError) for the route to answer, never a throw inside a stream callback;
 * - a body that announces, or turns out to carry, more than the limit is refused the moment the
 *   limit is crossed: the answer goes out at once and the connection is closed, instead of
 *   reading (and storing) the rest;
 * - a multipart request without a valid CSRF token is refused when its file part begins, before
 *   a byte of the file is written (the page's form sends its _csrf field before the file);
 * - every file written for a refused request is removed, and its descriptor closed.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import multer from 'multer';
import { AppError, FaultError, storageFaultOf } from '../lib/errors.js';
import { log } from '../lib/log.js';
import { uploadTokenRefusal } from './csrf.js';
import { checkParsedFields } from './request-input.js';

/** What the multipart framing and the few text fields may add to the file's own bytes. */
const FRAMING_ALLOWANCE = 64 * 1024;

export interface UploadLimits {
  /** The form field that carries the file. */
  field: string;
  maxFileBytes: number;
  /** Text fields besides the file (the CSRF token included). */
  maxFields: number;
  maxFieldBytes: number;
}

export interface ReceivedFile {
  path: string;
  /** As the browser sent it (UTF-8), for display only: files are stored under generated names. */
  originalName: string;
  size: number;
}

export type UploadRefusal = 'TOO_LARGE' | 'ONE_FILE' | 'WRONG_FIELD' | 'TOO_MANY_FIELDS' | 'MALFORMED' | 'INCOMPLETE';

export class UploadRefusedError extends AppError {
  constructor(
    readonly reason: UploadRefusal,
    message: string,
  ) {
    super(`UPLOAD_${reason}`, message, reason === 'TOO_LARGE' ? 413 : 400);
  }
}

export const uploadMessages: Record<UploadRefusal, (limits: UploadLimits) => string> = {
  TOO_LARGE: (l) => `文件超过 ${Math.round(l.maxFileBytes / 1024 / 1024)} MB，请拆分后分批上传。`,
  ONE_FILE: () => '一次只能上传一个文件。',
  WRONG_FIELD: () => '文件没有放在上传框里提交，请在页面上选择文件后重新上传。',
  TOO_MANY_FIELDS: () => '提交的表单内容不符合上传表单，请在页面上重新上传。',
  MALFORMED: () => '上传的内容无法识别（表单格式不完整），请重新选择文件上传。',
  INCOMPLETE: () => '上传没有完成，请重新选择文件上传。',
};

const MULTER_REASONS: Record<string, UploadRefusal> = {
  LIMIT_FILE_SIZE: 'TOO_LARGE',
  LIMIT_FILE_COUNT: 'ONE_FILE',
  LIMIT_UNEXPECTED_FILE: 'WRONG_FIELD',
  LIMIT_FIELD_COUNT: 'TOO_MANY_FIELDS',
  LIMIT_PART_COUNT: 'TOO_MANY_FIELDS',
  LIMIT_FIELD_KEY: 'TOO_MANY_FIELDS',
  LIMIT_FIELD_VALUE: 'TOO_MANY_FIELDS',
  MISSING_FIELD_NAME: 'MALFORMED',
  INVALID_FIELD_NAME: 'MALFORMED',
  STREAM_DESTROYED: 'INCOMPLETE',
};

function refusal(reason: UploadRefusal, limits: UploadLimits): UploadRefusedError {
  return new UploadRefusedError(reason, uploadMessages[reason](limits));
}

/** Our own refusals, raised inside multer's callbacks, travel to the settle step as this. */
class Refused extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

/**
 * Read the request's multipart body: resolves with the file (or null when none was sent) once the
 * whole body is in, with the text fields in req.body; rejects as soon as the body is refused. The
 * caller answers the rejection; when the body was not read to its end, the connection is marked to
 * close after that answer, so the rest of an oversized body is never read.
 */
export function receiveUpload(req: Request, res: Response, dir: string, limits: UploadLimits): Promise<ReceivedFile | null> {
  const maxBody = limits.maxFileBytes + FRAMING_ALLOWANCE;
  const written = new Set<string>();
  const removeWritten = () => {
    for (const file of written) fs.rm(file, { force: true }, () => undefined);
    written.clear();
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: unknown, file?: ReceivedFile | null) => {
      if (settled) {
        // multer finishes after an early refusal: whatever it wrote meanwhile goes too.
        removeWritten();
        return;
      }
      settled = true;
      if (!err) return resolve(file ?? null);
      removeWritten();
      if (!req.complete) {
        // Stop feeding the parser and close the connection once the answer is out.
        req.unpipe();
        res.set('Connection', 'close');
      }
      reject(toUploadError(err, limits));
    };

    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBody) return settle(new Refused(refusal('TOO_LARGE', limits)));

    // A chunked body, or one whose Content-Length lies, is counted as it arrives.
    let received = 0;
    const countBytes = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBody) {
        req.off('data', countBytes);
        settle(new Refused(refusal('TOO_LARGE', limits)));
      }
    };
    req.on('data', countBytes);

    const storage = multer.diskStorage({
      // A function, so that multer creates no folder: a read-only upload folder fails this upload (503).
      destination: (_req, _file, cb) => cb(null, dir),
      filename: (_req, _file, cb) => {
        const name = crypto.randomBytes(16).toString('hex');
        written.add(path.join(dir, name));
        cb(null, name);
      },
    });
    const upload = multer({
      storage,
      limits: { fileSize: limits.maxFileBytes, files: 1, fields: limits.maxFields, fieldSize: limits.maxFieldBytes, parts: limits.maxFields + 1, headerPairs: 100 },
      // Called when a file part begins, before anything of it is written.
      fileFilter: (r, _file, cb) => {
        const csrf = uploadTokenRefusal(r);
        if (!csrf) return cb(null, true);
        const refused = new Refused(csrf);
        settle(refused); // answered now, not once the rest of the body has been read
        cb(refused);
      },
    }).single(limits.field);

    try {
      upload(req, res, (err?: unknown) => {
        req.off('data', countBytes);
        if (err) return settle(err);
        try {
          checkParsedFields(req.body);
        } catch (refused) {
          return settle(refused instanceof AppError ? new Refused(refused) : refused);
        }
        const f = req.file;
        if (!f?.path) return settle(null, null);
        // The stored file now belongs to the caller (the import moves or removes it).
        written.delete(f.path);
        settle(null, { path: f.path, originalName: Buffer.from(f.originalname, 'latin1').toString('utf8'), size: f.size });
      });
    } catch (err) {
      settle(err);
    }
  });
}

function toUploadError(err: unknown, limits: UploadLimits): AppError {
  if (err instanceof Refused) return err.error;
  if (err instanceof multer.MulterError) {
    // multer says "unexpected file" both for a file in another field and for a second one in ours.
    if (err.code === 'LIMIT_UNEXPECTED_FILE' && err.field === limits.field) return refusal('ONE_FILE', limits);
    return refusal(MULTER_REASONS[err.code] ?? 'MALFORMED', limits);
  }
  // A full disk, a read-only or missing upload folder: the server's fault (503), said so.
  const fault = storageFaultOf(err);
  if (fault) return new FaultError(fault, err);
  const message = err instanceof Error ? err.message : String(err);
  // busboy's own words for a body it cannot read, and the client going away mid-body.
  if (/aborted|closed|Unexpected end|unexpected end/i.test(message)) return refusal('INCOMPLETE', limits);
  if (/boundary|multipart|Malformed|header/i.test(message)) return refusal('MALFORMED', limits);
  // Anything else is the server's: not the user's file.
  log.error('upload could not be stored', { err });
  return new AppError('UPLOAD_STORAGE', '服务器暂时无法保存上传的文件，请稍后重试；如果问题持续，请联系管理员。', 503);
}
