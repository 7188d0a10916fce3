/**
 * A small in-process cache for read models that are costly or asked for on every page (the
 * dashboard at 1M firms takes seconds to aggregate; the filter bars' parks and counsellors).
 * Entries are kept per database handle and tagged with the data generation, which every write
 * bumps, so a reader never sees data older than the last write made by this process; a short TTL
 * bounds what a second process (PostgreSQL deployments) can leave stale.
 */
let generation = 0;
let lastWriteAt = 0;

export function bumpDataGeneration(): void {
  generation++;
  lastWriteAt = Date.now();
}

/** When this process last wrote, or heard of another's write (ms since the epoch; 0: not since it started). */
export function lastDataWriteAt(): number {
  return lastWriteAt;
}

interface Entry<T> {
  /** Pending while the first reader computes it: readers arriving meanwhile wait for that one. */
  value: Promise<T>;
  generation: number;
  expires: number;
}

export class ReadModelCache<T> {
  private byDb = new WeakMap<object, Map<string, Entry<T>>>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 200,
  ) {}

  /** `db`: the database handle the value is read from (one process may hold several, as tests do). */
  async get(db: object, key: string, compute: () => Promise<T>): Promise<T> {
    let entries = this.byDb.get(db);
    if (!entries) this.byDb.set(db, (entries = new Map()));
    const hit = entries.get(key);
    const now = Date.now();
    if (hit && hit.generation === generation && hit.expires > now) return hit.value;
    // Tagged with the generation it started under: a write during the computation makes it stale.
    const value = compute();
    if (!hit && entries.size >= this.maxEntries) entries.delete(entries.keys().next().value as string);
    entries.set(key, { value, generation, expires: now + this.ttlMs });
    // A failure is not cached: the next reader tries again.
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  }

  clear(): void {
    this.byDb = new WeakMap();
  }
}
