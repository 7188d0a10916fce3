/** Configuration comes from the environment only; read once at start-up, fail fast. */
export interface AppConfig {
  port: number;
  databaseUrl: string;
  production: boolean;
  /** Fill an empty database with the demo data on start (never in production). */
  seedDemo: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got "${env.PORT}"`);
  const databaseUrl = env.DATABASE_URL?.trim() || 'sqlite:data/miaopu.sqlite';
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be sqlite:<path> or postgres://…');
  }
  return { port, databaseUrl, production, seedDemo: !production && env.MIAOPU_DEMO !== '0' };
}
