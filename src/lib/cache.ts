/**
 * A small in-process cache for expensive read models (the dashboard at 1M firms takes seconds to
 * aggregate). Entries are tagged with the data generation, which every write bumps, so a reader
 * never sees numbers older than the last write made by this process; a short TTL bounds what a
 * second process (PostgreSQL deployments) can leave stale.
 */
let generation = 0;

export function bumpDataGeneration(): void {
  generation++;
}

export function dataGeneration(): number {
  return generation;
}

interface Entry<T> {
  value: T;
  generation: number;
  expires: number;
}

export class ReadModelCache<T> {
  private entries = new Map<string, Entry<T>>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 200,
  ) {}

  async get(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && hit.generation === generation && hit.expires > now) return hit.value;
    const startedAt = generation;
    const value = await compute();
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, generation: startedAt, expires: now + this.ttlMs });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
