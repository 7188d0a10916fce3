/**
 * How one stored value of an audit row reads: the small formatters the field table
 * (audit-fields.ts) is made of. Rows hold what the code wrote — keys of enums, ids, 元, ISO
 * instants, arrays, nested objects; each formatter turns one kind of them into the words and
 * units the rest of the app shows (names, 万元, dates), never into JSON.
 */
import { shanghaiDateTime } from '../../lib/dates.js';
import { formatWanExact } from '../../lib/money.js';

/** Names the page looked up in one go (parks, towns, users, firms, batches), for ids stored in the rows. */
export interface AuditLookups {
  parkName(id: number): string | undefined;
  userName(id: number): string | undefined;
  townName?(id: number): string | undefined;
  /** A batch as people name it: 研发费加计扣除 2025 年 (#12). */
  batchName?(id: number): string | undefined;
  /** A firm by its credit code, for rows that list firms (an event's check-in). */
  firmName?(uscc: string): string | undefined;
}

/** What a formatter may read besides the value: the record it sits in (its siblings), the lookups, the action. */
export interface ShowContext {
  action: string;
  record: Record<string, unknown>;
  lookups: AuditLookups;
  /** The same words for a nested value (an object inside the row), with the same action's labels. */
  nested(value: unknown): string;
}

export type Show = (value: unknown, at: ShowContext) => string;

export const NONE = '—';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const CJK = /[\u3400-\u9fff\uff01-\uff5e]/;

export const isChinese = (s: string) => CJK.test(s);
export const yesNo = (v: unknown) => (v ? '是' : '否');

/** Plain text for a scalar; an instant in Shanghai time; the rest through `nested` (never JSON). */
export const plain: Show = (v, at) => {
  if (typeof v === 'string') return ISO_INSTANT.test(v) ? shanghaiDateTime(v) : v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return yesNo(v);
  return at.nested(v);
};

/** A calendar date as stored (YYYY-MM-DD), an instant as Shanghai date and time. */
export const date: Show = (v, at) => (typeof v === 'string' && ISO_INSTANT.test(v) ? shanghaiDateTime(v) : plain(v, at));

/** Integer 元 in 万元, every digit kept (the label says 万元, as the figures table does). */
export const wan: Show = (v, at) => {
  const n = Number(v);
  return typeof v !== 'boolean' && v !== '' && Number.isFinite(n) ? formatWanExact(n) : plain(v, at);
};

export const count =
  (unit: string): Show =>
  (v, at) =>
    typeof v === 'number' ? `${v.toLocaleString('en-US')} ${unit}` : Array.isArray(v) ? `${v.length} ${unit}` : plain(v, at);

/** A record number (#12): what the page links or the people quote. */
export const ref: Show = (v, at) => (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)) ? `#${v}` : plain(v, at));

/** A key of an enum by its Chinese name; an unknown key as stored (an older row, a removed choice). */
export const oneOf =
  (labels: Readonly<Record<string, string>> | ((key: string) => string)): Show =>
  (v, at) => {
    if (typeof v !== 'string') return plain(v, at);
    const label = typeof labels === 'function' ? labels(v) : labels[v];
    return label || v;
  };

/** A list of keys (topics, usccs, codes) one by one, joined as Chinese lists are. */
export const listOf =
  (item: Show, empty = '无'): Show =>
  (v, at) =>
    Array.isArray(v) ? (v.length ? v.map((x) => item(x, at)).join('、') : empty) : item(v, at);

export const park: Show = (v, at) => at.lookups.parkName(Number(v)) ?? ref(v, at);
export const town: Show = (v, at) => at.lookups.townName?.(Number(v)) ?? ref(v, at);
export const user: Show = (v, at) => at.lookups.userName(Number(v)) ?? ref(v, at);
export const batch: Show = (v, at) => {
  if (!(typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)))) return plain(v, at);
  const named = at.lookups.batchName?.(Number(v));
  return named ? `${named}（#${v}）` : `#${v}`;
};
/** A firm by name with its code. */
export const firm: Show = (v, at) => {
  if (typeof v !== 'string') return plain(v, at);
  const name = at.lookups.firmName?.(v);
  return name ? `${name}（${v}）` : v;
};

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** 13 head counts of staff_months: 年初 (31 Dec before) and the twelve month ends. */
export const monthCounts: Show = (v, at) => {
  if (!Array.isArray(v)) return plain(v, at);
  return v.map((n, i) => `${i === 0 ? '年初' : `${i}月末`} ${n}`).join('，');
};

/**
 * Export and audit filters: stored as the Chinese label/value pairs the export's title line shows
 * (newer rows), or — older rows — as the query's own names (q, park, stage…) or a query string.
 */
export const filters =
  (names: Readonly<Record<string, { label: string; show?: Show }>>): Show =>
  (v, at) => {
    let pairs: [string, unknown][];
    if (typeof v === 'string') pairs = [...new URLSearchParams(v).entries()];
    else if (v && typeof v === 'object' && !Array.isArray(v)) pairs = Object.entries(v as Record<string, unknown>);
    else return plain(v, at);
    const shown = pairs
      .filter(([, x]) => x !== '' && x !== null && x !== undefined)
      .map(([k, x]) => {
        const known = names[k];
        return `${known?.label ?? k} ${(known?.show ?? plain)(x, at)}`;
      });
    return shown.length ? shown.join('，') : '无（全部）';
  };
