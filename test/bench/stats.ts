/** Percentiles, formatting and the result table shared by the benchmark modules. */

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles over a copy of `values` (milliseconds, bytes …). */
export function summarize(values: readonly number[]): Summary {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  const at = (p: number) => (n === 0 ? NaN : v[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!);
  return {
    n,
    min: n ? v[0]! : NaN,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    max: n ? v[n - 1]! : NaN,
    mean: n ? v.reduce((a, b) => a + b, 0) / n : NaN,
  };
}

export function ms(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  if (x >= 100) return `${x.toFixed(0)} ms`;
  if (x >= 10) return `${x.toFixed(1)} ms`;
  return `${x.toFixed(2)} ms`;
}

export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

export function kb(bytes: number): string {
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} B`;
}

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A target: `check(value)` decides PASS/FAIL; `text` is what the table shows ("≤ 5 ms"). */
export interface Target {
  text: string;
  check: (value: number) => boolean;
}

export const atMost = (limit: number, text: string): Target => ({ text, check: (v) => v <= limit });
export const atLeast = (limit: number, text: string): Target => ({ text, check: (v) => v >= limit });

export type Verdict = 'PASS' | 'FAIL' | 'info' | 'ERROR';

export interface Row {
  section: string;
  what: string;
  figure: string;
  detail: string;
  target: string;
  verdict: Verdict;
}

/** Collects result rows; `print()` writes them as one aligned table per section. */
export class Report {
  readonly rows: Row[] = [];

  add(section: string, what: string, figure: string, detail: string, target?: Target, value?: number): Row {
    let verdict: Verdict = 'info';
    if (target && value !== undefined) verdict = Number.isFinite(value) && target.check(value) ? 'PASS' : 'FAIL';
    const row: Row = { section, what, figure, detail, target: target?.text ?? '', verdict };
    this.rows.push(row);
    return row;
  }

  error(section: string, what: string, message: string): void {
    this.rows.push({ section, what, figure: 'error', detail: message.slice(0, 120), target: '', verdict: 'ERROR' });
  }

  print(sections?: string[]): void {
    const names = sections ?? [...new Set(this.rows.map((r) => r.section))];
    for (const section of names) {
      const rows = this.rows.filter((r) => r.section === section);
      if (!rows.length) continue;
      const head = ['what', 'figure', 'detail', 'target', ''];
      const cells = rows.map((r) => [r.what, r.figure, r.detail, r.target, r.verdict === 'info' ? '' : r.verdict]);
      const widths = head.map((h, i) => Math.max(width(h), ...cells.map((c) => width(c[i]!))));
      console.log(`\n${section}`);
      console.log(head.map((h, i) => pad(h, widths[i]!)).join('  ').trimEnd());
      console.log(widths.map((w) => '─'.repeat(w)).join('  '));
      for (const c of cells) console.log(c.map((x, i) => pad(x, widths[i]!)).join('  ').trimEnd());
    }
  }

  counts(): Record<Verdict, number> {
    const out: Record<Verdict, number> = { PASS: 0, FAIL: 0, info: 0, ERROR: 0 };
    for (const r of this.rows) out[r.verdict]++;
    return out;
  }
}

/** Display width: CJK and full-width characters take two columns in a terminal. */
export function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ? 2 : 1;
  }
  return w;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

/**
 * Run `fn` repeatedly after warm-up runs until `budgetMs` has passed (and at least `minRuns` ran),
 * times in ms. Slow cases are bounded: when one run takes more than a tenth of the budget there is a
 * single warm-up, and the loop stops at `hardMs` even before `minRuns` (keeping at least one run).
 */
export async function repeat(fn: () => Promise<unknown>, opts: { warmup?: number; budgetMs?: number; hardMs?: number; minRuns?: number; maxRuns?: number } = {}): Promise<Summary> {
  const { warmup = 3, budgetMs = 1500, minRuns = 5, maxRuns = 2000 } = opts;
  const hardMs = opts.hardMs ?? budgetMs * 4;
  const start = performance.now();
  for (let i = 0; i < warmup; i++) {
    const t0 = performance.now();
    await fn();
    if (performance.now() - t0 > budgetMs / 10) break;
  }
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  for (;;) {
    const t0 = performance.now();
    await fn();
    const t1 = performance.now();
    times.push(t1 - t0);
    if (times.length >= maxRuns) break;
    if (times.length >= minRuns && t1 >= end) break;
    if (t1 - start >= hardMs) break;
  }
  return summarize(times);
}
