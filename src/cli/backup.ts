/**
 * `npm run db:backup [-- --dir DIR]`: a consistent backup of DATABASE_URL while the app runs, into a
 * dated file (default folder data/backups). SQLite: the online backup API; PostgreSQL: pg_dump -Fc.
 */
import path from 'node:path';
import { loadConfig } from '../config.js';
import { backup } from '../db/backup.js';

const config = loadConfig();
const i = process.argv.indexOf('--dir');
const dir = path.resolve(i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : path.join('data', 'backups'));
const started = Date.now();
const file = await backup({ url: config.databaseUrl }, dir);
console.log(`backup written: ${file} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
