/** Configuration comes from the environment only; read once at start-up, fail fast. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface AppConfig {
  port: number;
  databaseUrl: string;
  production: boolean;
  /** Fill an empty database with the demo data on start (never in production). */
  seedDemo: boolean;
  /** Express 'trust proxy' (TRUST_PROXY): set it when a reverse proxy terminates TLS in front of the app. */
  trustProxy: string | number | boolean;
  /** Secure cookies: 'auto' sets Secure whenever the request came over HTTPS (directly or via a trusted proxy). */
  cookieSecure: boolean | 'auto';
  /** Signing secret for the session cookie; when unset, one is generated once and kept in the database. */
  sessionSecret: string | null;
  /** Log out after this much inactivity, and after this long in any case. */
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** The origin users reach the app by (e.g. https://miaopu.example.gov.cn); default: the request's own. */
  publicOrigin: string | null;
  /** Password for the first admin of an empty production database; generated and printed when unset. */
  firstAdminPassword: string | null;
  /** Where uploaded list files are kept (outside the web root). */
  uploadDir: string;
}

export class ConfigError extends Error {}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number, got "${raw}"`);
  return n;
}

function parseTrustProxy(raw: string | undefined): string | number | boolean {
  if (!raw) return false;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL?.trim() || 'sqlite:data/miaopu.sqlite';
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be sqlite:<path> or postgres://…');
  }
  const sessionSecret = env.SESSION_SECRET?.trim() || null;
  if (sessionSecret !== null && sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET must be at least 32 characters');
  const publicOrigin = env.PUBLIC_ORIGIN?.trim().replace(/\/$/, '') || null;
  if (publicOrigin !== null && !/^https?:\/\/[^/]+$/.test(publicOrigin)) throw new ConfigError('PUBLIC_ORIGIN must look like https://host[:port]');
  return {
    port,
    databaseUrl,
    production,
    seedDemo: !production && env.MIAOPU_DEMO !== '0',
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    cookieSecure: env.COOKIE_SECURE === 'true' ? true : env.COOKIE_SECURE === 'false' ? false : 'auto',
    sessionSecret,
    sessionIdleMinutes: positiveNumber(env, 'SESSION_IDLE_MINUTES', 30),
    sessionAbsoluteHours: positiveNumber(env, 'SESSION_ABSOLUTE_HOURS', 12),
    publicOrigin,
    firstAdminPassword: env.MIAOPU_ADMIN_PASSWORD || null,
    uploadDir: path.resolve(env.UPLOAD_DIR?.trim() || path.join('data', 'uploads')),
  };
}

/**
 * What an operator should hear at start-up about the deployment. In production, passwords and firm
 * figures must not cross the network in clear text: the app speaks plain HTTP, so TLS has to be
 * terminated by a reverse proxy the app trusts (TRUST_PROXY), or COOKIE_SECURE=true must state
 * that HTTPS is in front.
 */
export function deploymentWarnings(config: Pick<AppConfig, 'production' | 'trustProxy' | 'cookieSecure'>): string[] {
  if (!config.production) return [];
  const warnings: string[] = [];
  if (config.trustProxy === false && config.cookieSecure !== true) {
    warnings.push(
      'production without TLS: neither TRUST_PROXY (a reverse proxy terminating TLS) nor COOKIE_SECURE=true is set, so passwords, session cookies and firm figures travel in clear text and cookies are not Secure; put a TLS-terminating proxy in front and set TRUST_PROXY',
    );
  }
  if (config.cookieSecure === false) warnings.push('production with COOKIE_SECURE=false: session cookies are never Secure, even over HTTPS');
  return warnings;
}

/** Settings for tests and tools that build an app without reading the environment. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig & { sessionSecret: string } {
  return {
    port: 0,
    databaseUrl: 'sqlite::memory:',
    production: false,
    seedDemo: false,
    trustProxy: false,
    cookieSecure: 'auto',
    sessionIdleMinutes: 30,
    sessionAbsoluteHours: 12,
    publicOrigin: null,
    firstAdminPassword: null,
    uploadDir: fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-uploads-')),
    ...overrides,
    sessionSecret: overrides.sessionSecret ?? 'test-secret-test-secret-test-secret-0123',
  };
}
