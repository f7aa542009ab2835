import { Pool } from "undici";

export interface LoadOptions {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

export interface LoadResult {
  /** Requests counted in the measurement window. */
  requests: number;
  /** All requests, warm-up included. */
  totalRequests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return sorted[index] ?? Number.NaN;
}

/**
 * Closed-loop load: `concurrency` workers, each on its own keep-alive connection, send one request after another
 * and read each answer to its last byte. Latency is time to the last byte; requests in the warm-up are not counted.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.origin, { connections: options.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let total = 0;
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const stopAt = measureFrom + options.durationMs;
  const worker = async () => {
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      try {
        const res = await pool.request({
          method: "POST",
          path: options.path,
          headers: options.headers,
          body: options.body,
        });
        for await (const _ of res.body) {
          // read to the last byte
        }
        if (res.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
      const t1 = performance.now();
      total++;
      if (t0 >= measureFrom && t1 <= stopAt) latencies.push(t1 - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await pool.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    totalRequests: total,
    errors,
    rps: latencies.length / (options.durationMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}
