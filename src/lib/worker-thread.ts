/** A worker thread from a module URL: compiled, the .js itself; from TypeScript sources (tests, npm run dev), tsx first, then it. */
import { Worker } from 'node:worker_threads';

export function newWorker(workerUrl: URL, workerData: unknown, heapLimitMiB?: number): Worker {
  const options = { workerData, ...(heapLimitMiB ? { resourceLimits: { maxOldGenerationSizeMb: heapLimitMiB } } : {}) };
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl, options);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** The URL of a sibling module: `name.js` when compiled, `name.ts` when running from sources. */
export function siblingModule(importMetaUrl: string, name: string): URL {
  return new URL(`./${name}${importMetaUrl.endsWith('.ts') ? '.ts' : '.js'}`, importMetaUrl);
}
