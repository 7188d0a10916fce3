/**
 * The Shanghai calendar date a test runs on, refreshed before every test (a root hook in
 * log-capture.ts): a file that computed it once at load time disagreed with the app for the tests
 * that ran after 16:00 UTC (Shanghai midnight) — "tomorrow" had become today. Import it as a live
 * binding (`import { TODAY } …`, never copy it into a module-level constant).
 */
import { todayInShanghai } from '../../src/lib/dates.js';

export let TODAY = todayInShanghai();

export function refreshToday(): void {
  TODAY = todayInShanghai();
}
