/**
 * Setup requests for the HTTP benchmark, with a cookie jar. Today every request acts as the seeded
 * `admin`; once accounts exist (`/board` redirects to `/login`), this logs in as admin through the
 * login form — hidden fields and the CSRF token of `<meta name="csrf-token">` included — and the
 * load runs reuse the session cookie.
 */
import { parse } from 'node-html-parser';

export const BENCH_USER = 'admin';
export const BENCH_PASSWORD = process.env.MIAOPU_BENCH_PASSWORD ?? 'miaopu-demo';

export interface FetchedPage {
  status: number;
  location: string | null;
  body: string;
}

export class Session {
  private cookies = new Map<string, string>();
  /** How the session got in: "no login needed" or "logged in as admin". */
  mode = 'no login needed';

  constructor(readonly base: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.cookies.size) h.cookie = this.cookieHeader;
    return h;
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, extra: Record<string, string> = {}): Promise<FetchedPage> {
    const res = await fetch(new URL(path, this.base), { redirect: 'manual', headers: this.headers(extra) });
    this.remember(res);
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }

  async postForm(path: string, fields: Record<string, string>, extra: Record<string, string> = {}): Promise<FetchedPage> {
    const res = await fetch(new URL(path, this.base), {
      method: 'POST',
      redirect: 'manual',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', origin: new URL(this.base).origin, ...extra }),
      body: new URLSearchParams(fields).toString(),
    });
    this.remember(res);
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }

  /** GET a page; when it redirects to /login, log in and GET it again. Throws if that fails. */
  async page(path: string, extra: Record<string, string> = {}): Promise<FetchedPage> {
    let page = await this.get(path, extra);
    if (isLoginRedirect(page)) {
      await this.login(page.location!);
      page = await this.get(path, extra);
      if (isLoginRedirect(page)) throw new Error(`still redirected to ${page.location} after logging in as ${BENCH_USER}`);
    }
    return page;
  }

  async login(loginUrl = '/login'): Promise<void> {
    const form = await this.get(loginUrl);
    if (form.status !== 200) throw new Error(`GET ${loginUrl} answered ${form.status}`);
    const doc = parse(form.body);
    const csrf = doc.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
    const el = doc.querySelectorAll('form').find((f) => f.querySelector('input[type="password"]')) ?? doc.querySelector('form');
    const action = el?.getAttribute('action') || new URL(loginUrl, this.base).pathname;
    const fields: Record<string, string> = {};
    for (const input of el?.querySelectorAll('input') ?? []) {
      const name = input.getAttribute('name');
      if (!name) continue;
      const type = (input.getAttribute('type') ?? 'text').toLowerCase();
      if (type === 'password') fields[name] = BENCH_PASSWORD;
      else if (type === 'hidden') fields[name] = input.getAttribute('value') ?? '';
      else if (type === 'text' || type === 'email') fields[name] = /user|name|login|account/i.test(name) ? BENCH_USER : (input.getAttribute('value') ?? '');
    }
    if (!Object.values(fields).includes(BENCH_USER)) fields.username = BENCH_USER;
    if (!Object.values(fields).includes(BENCH_PASSWORD)) fields.password = BENCH_PASSWORD;
    if (csrf && !Object.values(fields).includes(csrf)) fields._csrf = csrf;
    const res = await this.postForm(action, fields, csrf ? { 'x-csrf-token': csrf } : {});
    if (res.status >= 400 || (res.location && /\/login\b/.test(res.location))) {
      throw new Error(`logging in as ${BENCH_USER} failed (HTTP ${res.status}${res.location ? ` → ${res.location}` : ''}); set MIAOPU_BENCH_PASSWORD if the demo password changed`);
    }
    this.mode = `logged in as ${BENCH_USER}`;
  }
}

function isLoginRedirect(page: FetchedPage): boolean {
  return page.status >= 300 && page.status < 400 && !!page.location && /\/login\b/.test(page.location);
}
