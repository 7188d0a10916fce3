import fs from 'node:fs';
import { FaultError, storageFaultOf } from '../../lib/errors.js';
import { log } from '../../lib/log.js';

/**
 * The folder uploads are kept in. One that cannot be created or written (a read-only mount, wrong
 * owner) is the server's problem: logged as such at start, and each upload then answers 503
 * saying so, instead of the app refusing to start or blaming the user's file.
 */
export function ensureUploadFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    log.error('the upload folder cannot be written: uploads are refused until it can (a server fault, not the files)', { dir, err });
  }
}

/** A file-system error while storing an upload, as the server fault it is; anything else unchanged. */
export function asStorageFault(err: unknown): unknown {
  const kind = storageFaultOf(err);
  return kind ? new FaultError(kind, err) : err;
}
