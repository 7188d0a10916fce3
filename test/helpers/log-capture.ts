/**
 * Mocha root hooks (package.json "mocha.require"): every log line of a test is captured instead of
 * printed, and printed only when that test fails, so a green run shows only results. A test that
 * expects an error line asserts it with `logLines()` / `expectLogLine()`.
 */
import { expect } from 'chai';
import type { Context } from 'mocha';
import { setLogLevel, setLogSink } from '../../src/lib/log.js';
import { refreshToday } from './today.js';

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

let captured: string[] = [];

setLogSink((line) => captured.push(line));
// Capture the request lines as well: they are what a failing test's reader needs first.
setLogLevel('info');

/** The lines logged since the current test began (parsed). */
export function logLines(): LogLine[] {
  return captured.map((l) => JSON.parse(l) as LogLine);
}

/** Asserts one line matches (message and, optionally, level) and returns it. */
export function expectLogLine(match: { msg: string | RegExp; level?: string }): LogLine {
  const line = logLines().find((l) => (typeof match.msg === 'string' ? l.msg === match.msg : match.msg.test(l.msg)) && (!match.level || l.level === match.level));
  expect(line, `a log line ${String(match.msg)}${match.level ? ` at ${match.level}` : ''} among:\n${captured.join('')}`).to.not.equal(undefined);
  return line!;
}

export const mochaHooks = {
  beforeEach() {
    refreshToday();
  },
  afterEach(this: Context) {
    if (this.currentTest?.state === 'failed' && captured.length) {
      process.stdout.write(`\n--- log of the failed test "${this.currentTest.fullTitle()}" ---\n${captured.join('')}--- end of log ---\n`);
    }
    captured = [];
  },
};
