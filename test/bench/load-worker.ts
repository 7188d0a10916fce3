/**
 * Child process of the benchmark (see load.ts): receives a LoadJob over IPC, keeps `concurrency`
 * keep-alive connections busy with GET requests for warm-up + duration, and answers a LoadResult.
 * Latency is from sending the request to the last byte of the body. While it runs it samples the
 * server's VmRSS and RssAnon from /proc every 50 ms, so the peak is seen even when the server's
 * own event loop is blocked.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { LoadJob, LoadResult } from './load.js';
import { summarize } from './stats.js';

const REQUEST_TIMEOUT_MS = 30_000;

function readMem(pid: number): { rss: number; anon: number } {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon') };
  } catch {
    return { rss: 0, anon: 0 };
  }
}

interface One {
  status: string;
  ms: number;
  bytes: number;
  error?: string;
}

function request(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<One> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(url, { agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: String(res.statusCode), ms: performance.now() - t0, bytes }));
      res.on('error', (err) => resolve({ status: 'ERR', ms: performance.now() - t0, bytes, error: err.message }));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`timeout after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (err) => resolve({ status: 'ERR', ms: performance.now() - t0, bytes: 0, error: err.message }));
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  let peakRss = 0;
  let peakAnon = 0;
  const sample = () => {
    const m = readMem(job.samplePid);
    peakRss = Math.max(peakRss, m.rss);
    peakAnon = Math.max(peakAnon, m.anon);
  };
  sample();
  const timer = setInterval(sample, 50);

  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let bytes = 0;
  let errors = 0;
  let firstError: string | null = null;
  let measuring = job.warmupMs <= 0;
  let started = performance.now();
  const warmEnd = performance.now() + job.warmupMs;
  let end = warmEnd + job.durationMs;
  const max = job.maxRequests ?? Infinity;
  let issued = 0;

  const loop = async () => {
    for (;;) {
      const now = performance.now();
      if (!measuring && now >= warmEnd) {
        measuring = true;
        started = now;
        end = now + job.durationMs;
      }
      if (now >= end || (measuring && issued >= max)) return;
      const counted = measuring;
      if (counted) issued++;
      const r = await request(agent, url, job.headers);
      if (!counted) continue;
      latencies.push(r.ms);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      bytes += r.bytes;
      if (r.status === 'ERR' || !/^[23]/.test(r.status)) {
        errors++;
        firstError ??= r.error ?? `HTTP ${r.status}`;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  const elapsedMs = performance.now() - started;
  clearInterval(timer);
  sample();
  agent.destroy();
  return {
    id: job.id,
    requests: latencies.length,
    errors,
    statuses,
    latency: summarize(latencies),
    bytes: latencies.length ? Math.round(bytes / latencies.length) : 0,
    elapsedMs,
    rps: latencies.length / (elapsedMs / 1000),
    peakRssBytes: peakRss,
    peakAnonBytes: peakAnon,
    firstError,
  };
}

process.on('message', (job: LoadJob) => {
  void run(job).then((result) => process.send?.(result));
});
process.on('disconnect', () => process.exit(0));
