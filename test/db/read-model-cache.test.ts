/** The in-process read-model cache (dashboard, filter bars): one computation per change, per database. */
import { expect } from 'chai';
import { ReadModelCache, bumpDataGeneration } from '../../src/lib/cache.js';

describe('ReadModelCache', () => {
  const dbA = {};
  const dbB = {};
  const deferred = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  it('readers arriving while a value is computed share that computation', async () => {
    const cache = new ReadModelCache<number>(60_000);
    bumpDataGeneration();
    let calls = 0;
    const pending = deferred<number>();
    const compute = () => {
      calls++;
      return pending.promise;
    };
    const readers = [cache.get(dbA, 'k', compute), cache.get(dbA, 'k', compute), cache.get(dbA, 'k', compute)];
    pending.resolve(42);
    expect(await Promise.all(readers)).to.deep.equal([42, 42, 42]);
    expect(await cache.get(dbA, 'k', compute)).to.equal(42);
    expect(calls).to.equal(1);
  });

  it('keeps databases apart, and recomputes after a write', async () => {
    const cache = new ReadModelCache<string>(60_000);
    expect(await cache.get(dbA, 'k', async () => 'a')).to.equal('a');
    expect(await cache.get(dbB, 'k', async () => 'b')).to.equal('b');
    expect(await cache.get(dbA, 'k', async () => 'stale?')).to.equal('a');
    bumpDataGeneration();
    expect(await cache.get(dbA, 'k', async () => 'fresh')).to.equal('fresh');
  });

  it('does not keep a failed computation: every waiting reader sees the error, the next one tries again', async () => {
    const cache = new ReadModelCache<number>(60_000);
    bumpDataGeneration();
    const pending = deferred<number>();
    const first = cache.get(dbA, 'k', () => pending.promise);
    const second = cache.get(dbA, 'k', async () => 0);
    pending.reject(new Error('database busy'));
    for (const reader of [first, second]) {
      let error: unknown;
      await reader.catch((err: unknown) => (error = err));
      expect((error as Error)?.message).to.equal('database busy');
    }
    expect(await cache.get(dbA, 'k', async () => 7)).to.equal(7);
  });
});
