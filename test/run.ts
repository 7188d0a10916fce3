/**
 * `npm test`: the type check, then every suite: rules (unit), database and HTTP on SQLite — and
 * again on PostgreSQL when TEST_DATABASE_URL is set — then the browser tests in Chromium.
 * Each step prints its name; the run fails if any step fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const mocha = ['node_modules/.bin/mocha'];

interface Step {
  name: string;
  cmd: string[];
  env?: Record<string, string>;
}

function ensureChromium(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && fs.existsSync('/usr/bin/apt-get')) {
    console.log(`\n▶ Chromium is missing: installing Debian's chromium and fonts-noto-cjk (needs the package mirror)…`);
    const update = spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', 'chromium', 'fonts-noto-cjk'], { stdio: 'inherit' });
    if (install && install.status === 0 && fs.existsSync(CHROMIUM)) return true;
  }
  console.error(`\n✗ The browser tests need Chromium at ${CHROMIUM}. Install it with:\n    apt-get install -y chromium fonts-noto-cjk\n  (or set CHROMIUM_PATH).`);
  return false;
}

const steps: Step[] = [
  { name: 'type check', cmd: ['node_modules/.bin/tsc', '-p', 'tsconfig.json', '--noEmit'] },
  // The production build compiles without DOM types; check it too, so `npm start` cannot break.
  { name: 'type check (production build)', cmd: ['node_modules/.bin/tsc', '-p', 'tsconfig.build.json', '--noEmit'] },
  { name: 'unit tests (rules)', cmd: [...mocha, 'test/unit/**/*.test.ts'] },
  { name: 'database and HTTP tests on SQLite', cmd: [...mocha, 'test/db/**/*.test.ts', 'test/http/**/*.test.ts'] },
];
if (process.env.TEST_DATABASE_URL) {
  steps.push({
    name: 'database and HTTP tests on PostgreSQL',
    cmd: [...mocha, 'test/db/**/*.test.ts', 'test/http/**/*.test.ts'],
    env: { TEST_DIALECT: 'postgres' },
  });
} else {
  console.log('(TEST_DATABASE_URL is not set: PostgreSQL tests are not run; CI sets it.)');
}

console.log(`Node.js ${process.version}`);
let failed = 0;
const only = process.argv.slice(2);
for (const step of steps) {
  if (only.length && !only.some((o) => step.name.includes(o))) continue;
  console.log(`\n▶ ${step.name}`);
  const r = spawnSync(step.cmd[0]!, step.cmd.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', ...step.env } });
  if (r.status !== 0) {
    failed++;
    console.error(`✗ ${step.name} failed`);
  }
}
if (!only.length || only.some((o) => 'browser tests'.includes(o))) {
  console.log('\n▶ browser tests (Chromium)');
  if (!ensureChromium()) failed++;
  else {
    const r = spawnSync(mocha[0]!, ['--timeout', '60000', 'test/browser/**/*.test.ts'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
    if (r.status !== 0) {
      failed++;
      console.error('✗ browser tests failed');
    }
  }
}
console.log(failed ? `\n✗ ${failed} step(s) failed` : '\n✓ all test steps passed');
process.exit(failed ? 1 : 0);
