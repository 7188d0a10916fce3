/**
 * Device cookies (OWASP's answer to lock-out attacks): after a successful sign-in the browser keeps
 * a signed note "this browser has signed in as <user>". Attempts that bring it are throttled on
 * their own (accounts.service): the account-wide lock and the address ceiling, which exist against
 * guessing from elsewhere, never stop them. The note proves nothing by itself — the password is
 * still checked — and is bound to the session secret, so rotating that secret forgets every device.
 */
import crypto from 'node:crypto';
import type { Request, Response } from 'express';

export const DEVICE_COOKIE = 'miaopu.device';
const LIFETIME_MS = 180 * 24 * 3600_000;
/** A shared office computer may be used by a few people; the oldest notes go first. */
const MAX_ACCOUNTS = 5;

interface Note {
  username: string;
  device: string;
  sig: string;
}

function keyOf(secret: string): Buffer {
  return crypto.createHash('sha256').update(`miaopu device cookie|${secret}`).digest();
}

function sign(secret: string, username: string, device: string): string {
  return crypto.createHmac('sha256', keyOf(secret)).update(`${username}|${device}`).digest('base64url').slice(0, 32);
}

function notesOf(req: Request): Note[] {
  const header = req.get('cookie') ?? '';
  const raw = header
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${DEVICE_COOKIE}=`))
    ?.slice(DEVICE_COOKIE.length + 1);
  if (!raw) return [];
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return [];
  }
  return value
    .split('~')
    .slice(0, MAX_ACCOUNTS)
    .flatMap((entry) => {
      const [user, device, sig] = entry.split('.');
      if (!user || !device || !sig) return [];
      const username = Buffer.from(user, 'base64url').toString('utf8');
      return [{ username, device, sig }];
    });
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The device this browser is known as for `username`, when it carries a valid note for it. */
export function knownDevice(req: Request, username: string, secret: string): string | null {
  for (const note of notesOf(req)) {
    if (!sameName(note.username, username)) continue;
    const expected = sign(secret, note.username.trim().toLowerCase(), note.device);
    if (expected.length === note.sig.length && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(note.sig))) return note.device;
  }
  return null;
}

/** After a successful sign-in: this browser is now known for this account. */
export function rememberDevice(req: Request, res: Response, username: string, secret: string): void {
  const name = username.trim().toLowerCase();
  const device = knownDevice(req, name, secret) ?? crypto.randomBytes(12).toString('base64url');
  const others = notesOf(req).filter((n) => !sameName(n.username, name));
  const notes = [{ username: name, device, sig: sign(secret, name, device) }, ...others].slice(0, MAX_ACCOUNTS);
  const value = notes.map((n) => `${Buffer.from(n.username, 'utf8').toString('base64url')}.${n.device}.${n.sig}`).join('~');
  res.cookie(DEVICE_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/login', maxAge: LIFETIME_MS });
}
