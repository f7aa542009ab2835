// `npm run bench`: the gateway's overhead, against the fake upstream (zero think time) and against the thinnest
// proxy Node can run (bench/thin-proxy.mjs: node:http + undici piping bytes). Each scenario is measured three ways
// in the same run: straight to the fake ("direct"), through the thin proxy ("thin") and through `copilot-gateway
// serve` ("gateway"). Reports req/s, p50/p99 latency, and CPU µs per request read from each server process's own
// CPU time (/proc/PID/stat), which is steadier than req/s on a shared machine; then idle RSS and RSS with 1000
// streams open at once, gateway beside thin.
// Knobs: BENCH_DURATION_MS, BENCH_WARMUP_MS, BENCH_ROUNDS (interleaved rounds, medians reported), BENCH_OPEN_STREAMS, BENCH_CONNS (e.g. "16,64"), BENCH_KINDS (any of
// plain,stream,paced), BENCH_ONLY_STREAMS=1 (skip the throughput runs), BENCH_SKIP_MEMORY=1,
// BENCH_GATEWAY_NODE_OPTIONS (e.g. --max-semi-space-size=1 for the gateway process), BENCH_GATEWAY_NODE_ARGS (flags
// NODE_OPTIONS refuses, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_BASELINE_BIN (another build's
// bin/copilot-gateway.js, measured beside this one to compare two builds in the same run), BENCH_SKIP_CLI=1 (skip the
// CLI start-up rows), BENCH_CLI_RUNS (default 20), BENCH_CLI=1 (only the CLI start-up rows).
import { type ChildProcess, spawn } from "node:child_process";
import { setMaxListeners } from "node:events";
import { availableParallelism, cpus, loadavg } from "node:os";
import { Pool } from "undici";
import { measureCliStartup } from "./cli-startup.js";
import { type LoadResult, runLoad } from "./load.js";
import { copilotToken, fakeSignInEnv, startFake, startGateway, stopProcess } from "./processes.js";
import { cpuMs, rssMb, sampleRss } from "./rss.js";

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = process.env.BENCH_ONLY_STREAMS
  ? []
  : (process.env.BENCH_CONNS ?? "1,16,64").split(",").map(Number);
const KINDS = (process.env.BENCH_KINDS ?? "plain,stream,paced").split(",");
const OPEN_STREAMS = Number(process.env.BENCH_OPEN_STREAMS ?? 1000);

/** The thin proxy in its own bare `node` process, pointed at the fake with a Copilot token. */
function startThin(fakeUrl: string, token: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["bench/thin-proxy.mjs"], {
    env: { PATH: process.env.PATH ?? "", THIN_UPSTREAM: fakeUrl, THIN_TOKEN: token },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("message", (message: { url?: string }) => {
      if (!message.url) return reject(new Error("the thin proxy did not start"));
      resolve({ child, url: message.url });
    });
  });
}

const startBenchGateway = (fakeUrl: string, bin?: string) =>
  startGateway({
    ...(bin && { bin }),
    env: {
      ...fakeSignInEnv(fakeUrl),
      ...(process.env.BENCH_GATEWAY_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS }),
    },
    nodeArgs: process.env.BENCH_GATEWAY_NODE_ARGS?.split(" ").filter(Boolean) ?? [],
  });

const body = (stream: boolean) =>
  JSON.stringify({
    model: "gpt-4.1",
    messages: [{ role: "user", content: "Say hello to the benchmark in one short sentence, please." }],
    ...(stream && { stream: true }),
  });

interface Target {
  origin: string;
  path: string;
  headers: Record<string, string>;
  pid: number;
}

type Measured = LoadResult & { rssMb: number; cpuUsPerRequest: number };

interface Scenario {
  key: string;
  kind: string;
  stream: boolean;
  chunkDelayMs: number;
}

const SCENARIOS: Scenario[] = [
  { key: "plain", kind: "non-streamed", stream: false, chunkDelayMs: 0 },
  { key: "stream", kind: "stream, 20 chunks", stream: true, chunkDelayMs: 0 },
  { key: "paced", kind: "stream, 20 chunks 2 ms apart", stream: true, chunkDelayMs: 2 },
];

interface Row {
  scenario: Scenario;
  concurrency: number;
  direct: Measured;
  thin: Measured;
  gateway: Measured;
  /** Medians of the per-round gateway ÷ thin ratios. */
  rpsRatio: number;
  cpuRatio: number;
  errors: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Each field's median over the rounds. */
function medianOf(runs: Measured[]): Measured {
  const pick = (field: keyof Measured) => median(runs.map((r) => r[field]));
  return {
    requests: pick("requests"),
    totalRequests: pick("totalRequests"),
    errors: pick("errors"),
    rps: pick("rps"),
    p50Ms: pick("p50Ms"),
    p99Ms: pick("p99Ms"),
    rssMb: pick("rssMb"),
    cpuUsPerRequest: pick("cpuUsPerRequest"),
  };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");

async function measure(target: Target, stream: boolean, concurrency: number): Promise<Measured> {
  const rss = sampleRss(target.pid);
  const cpuBefore = cpuMs(target.pid);
  const result = await runLoad({
    origin: target.origin,
    path: target.path,
    headers: target.headers,
    body: body(stream),
    concurrency,
    durationMs: DURATION_MS,
    warmupMs: WARMUP_MS,
  });
  // CPU of the measured process per request (warm-up included on both sides of the ratio, so it only adds noise).
  const cpuUsPerRequest = ((cpuMs(target.pid) - cpuBefore) * 1000) / Math.max(1, result.totalRequests);
  return { ...result, rssMb: rss.stop(), cpuUsPerRequest };
}

/**
 * Open `count` streams through a proxy at once and read its RSS once every one of them is delivering chunks at the
 * same time (upstream streams last 20 s, so none has ended yet).
 */
async function openStreamsRss(
  url: string,
  pid: number,
  count: number,
): Promise<{ peakMb: number; open: number }> {
  const pool = new Pool(url, { connections: count, pipelining: 1 });
  const controller = new AbortController();
  setMaxListeners(count + 10, controller.signal);
  let open = 0;
  let maxOpen = 0;
  const streams = Array.from({ length: count }, async () => {
    let counted = false;
    try {
      const res = await pool.request({
        method: "POST",
        path: "/v1/chat/completions",
        headers: { "content-type": "application/json" },
        body: body(true),
        signal: controller.signal,
      });
      for await (const _ of res.body) {
        if (!counted) {
          counted = true;
          maxOpen = Math.max(maxOpen, ++open);
        }
      }
    } catch {
      // aborted at the end of the measurement
    } finally {
      if (counted) open--;
    }
  });
  const until = Date.now() + 15_000;
  while (open < count && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const rss = sampleRss(pid);
  await new Promise((r) => setTimeout(r, 2000));
  const peakMb = rss.stop();
  const openAtEnd = open;
  controller.abort();
  await Promise.allSettled(streams);
  await pool.destroy();
  return { peakMb, open: Math.min(openAtEnd, maxOpen) };
}

/** RSS of a freshly started proxy after one request of each kind and a quiet second. */
async function idleRss(url: string, pid: number): Promise<number> {
  const pool = new Pool(url, { connections: 1 });
  for (const stream of [false, true]) {
    const res = await pool.request({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      body: body(stream),
    });
    await res.body.dump();
  }
  await pool.close();
  await new Promise((r) => setTimeout(r, 1000));
  return rssMb(pid);
}

/** CLI start-up rows and their goals (each command ≤ 2× a bare `node -e 0` in CPU). */
function cliStartup(): { goal: string; ok: boolean }[] {
  const runs = Number(process.env.BENCH_CLI_RUNS ?? 20);
  const rows = measureCliStartup(runs);
  console.log(`\nCLI start-up, ${runs} interleaved runs each (load ${load()}):`);
  console.log("| command | CPU ms | × node -e 0 | wall ms (median) | × node -e 0 |");
  console.log("|---|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.label} | ${fmt(r.cpuMs)} | ${fmt(r.cpuRatio, 2)} | ${fmt(r.wallMs)} | ${fmt(r.wallRatio, 2)} |`,
    );
  return rows.slice(1).map((r) => ({ goal: `CLI ${r.label} CPU ≤ 2× node -e 0`, ok: r.cpuRatio <= 2 }));
}

async function main(): Promise<void> {
  if (process.env.BENCH_CLI) {
    console.log(`copilot-gateway CLI bench: Node ${process.version}; load average ${load()}`);
    for (const g of cliStartup()) console.log(`${g.ok ? "met   " : "MISSED"}  ${g.goal}`);
    return;
  }
  const fake = await startFake();
  const token = await copilotToken(fake.url);
  let gateway = await startBenchGateway(fake.url);
  let thin = await startThin(fake.url, token);
  const baseline = process.env.BENCH_BASELINE_BIN
    ? await startBenchGateway(fake.url, process.env.BENCH_BASELINE_BIN)
    : undefined;
  const direct: Target = {
    origin: fake.url,
    path: "/chat/completions",
    pid: fake.child.pid ?? 0,
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "editor-version": "vscode/1.104.3",
      "editor-plugin-version": "copilot-chat/0.26.7",
      "copilot-integration-id": "vscode-chat",
    },
  };
  const proxied = (url: string, pid: number | undefined): Target => ({
    origin: url,
    path: "/v1/chat/completions",
    pid: pid ?? 0,
    headers: { "content-type": "application/json", authorization: "Bearer unused" },
  });
  console.log(
    `copilot-gateway bench: ${availableParallelism()} CPU (${cpus()[0]?.model ?? "?"}), Node ${process.version}, ${DURATION_MS} ms per run after ${WARMUP_MS} ms warm-up, ${ROUNDS} rounds; load average ${load()}`,
  );

  const rows: Row[] = [];
  for (const scenario of SCENARIOS.filter((s) => KINDS.includes(s.key))) {
    await fake.set({ thinkTimeMs: 0, chunkDelayMs: scenario.chunkDelayMs, streamChunks: 20 });
    for (const concurrency of CONCURRENCY) {
      // Rounds interleave the three (or four) targets, so a burst of load from elsewhere hits them alike; each
      // number is the median over the rounds, each ratio the median of the per-round ratios.
      const runs: { d: Measured; t: Measured; g: Measured; b?: Measured }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const d = await measure(direct, scenario.stream, concurrency);
        const t = await measure(proxied(thin.url, thin.child.pid), scenario.stream, concurrency);
        const g = await measure(proxied(gateway.url, gateway.child.pid), scenario.stream, concurrency);
        const b = baseline
          ? await measure(proxied(baseline.url, baseline.child.pid), scenario.stream, concurrency)
          : undefined;
        runs.push({ d, t, g, ...(b && { b }) });
      }
      const row: Row = {
        scenario,
        concurrency,
        direct: medianOf(runs.map((r) => r.d)),
        thin: medianOf(runs.map((r) => r.t)),
        gateway: medianOf(runs.map((r) => r.g)),
        rpsRatio: median(runs.map((r) => r.g.rps / r.t.rps)),
        cpuRatio: median(runs.map((r) => r.g.cpuUsPerRequest / r.t.cpuUsPerRequest)),
        errors: runs.reduce((n, r) => n + r.d.errors + r.t.errors + r.g.errors, 0),
      };
      rows.push(row);
      const { direct: d, thin: t, gateway: g } = row;
      const vsBaseline = baseline
        ? ` | baseline build ${fmt(median(runs.map((r) => r.b?.cpuUsPerRequest ?? Number.NaN)))} µs, this ÷ baseline CPU ${fmt(median(runs.map((r) => r.g.cpuUsPerRequest / (r.b?.cpuUsPerRequest ?? Number.NaN))), 2)}`
        : "";
      console.log(
        `${scenario.kind.padEnd(28)} c=${String(concurrency).padStart(2)}  direct ${fmt(d.rps).padStart(6)} | thin ${fmt(t.rps).padStart(6)} req/s ${fmt(t.cpuUsPerRequest).padStart(4)} µs | gateway ${fmt(g.rps).padStart(6)} req/s ${fmt(g.cpuUsPerRequest).padStart(4)} µs | gateway÷thin req/s ${fmt(row.rpsRatio, 2)} CPU ${fmt(row.cpuRatio, 2)}${vsBaseline}  (load ${load()})${row.errors ? `  errors ${row.errors}` : ""}`,
      );
    }
  }

  if (rows.length > 0) {
    console.log(
      "\n| kind | conns | direct req/s | thin req/s | gateway req/s | gateway ÷ thin req/s | thin CPU µs/req | gateway CPU µs/req | gateway ÷ thin CPU | thin p50 / p99 (ms) | gateway p50 / p99 (ms) |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) {
      console.log(
        `| ${r.scenario.kind} | ${r.concurrency} | ${fmt(r.direct.rps)} | ${fmt(r.thin.rps)} | ${fmt(r.gateway.rps)} | ${fmt(r.rpsRatio, 2)} | ${fmt(r.thin.cpuUsPerRequest)} | ${fmt(r.gateway.cpuUsPerRequest)} | ${fmt(r.cpuRatio, 2)} | ${fmt(r.thin.p50Ms, 2)} / ${fmt(r.thin.p99Ms, 2)} | ${fmt(r.gateway.p50Ms, 2)} / ${fmt(r.gateway.p99Ms, 2)} |`,
      );
    }
  }

  const goals: { goal: string; ok: boolean }[] = [];
  for (const r of rows.filter((row) => row.concurrency >= 16)) {
    const cpuLimit = r.scenario.chunkDelayMs > 0 ? 1.2 : 1.15;
    goals.push({
      goal: `CPU per request ≤ ${cpuLimit}× thin at ${r.concurrency} connections (${r.scenario.kind})`,
      ok: r.cpuRatio <= cpuLimit,
    });
    if (r.scenario.chunkDelayMs === 0)
      goals.push({
        goal: `req/s ≥ 0.9× thin at ${r.concurrency} connections (${r.scenario.kind})`,
        ok: r.rpsRatio >= 0.9,
      });
  }

  if (!process.env.BENCH_SKIP_MEMORY) {
    // Fresh processes, so the numbers are about idle and open streams, not about how far V8 grew its heap above.
    // Long streams: 100 chunks 200 ms apart, so every stream stays open while RSS is read.
    await Promise.all([
      stopProcess(gateway.child),
      stopProcess(thin.child),
      ...(baseline ? [stopProcess(baseline.child)] : []),
    ]);
    gateway = await startBenchGateway(fake.url);
    thin = await startThin(fake.url, token);
    await fake.set({ streamChunks: 100, chunkDelayMs: 0 });
    const idleGateway = await idleRss(gateway.url, gateway.child.pid ?? 0);
    const idleThin = await idleRss(thin.url, thin.child.pid ?? 0);
    await fake.set({ streamChunks: 100, chunkDelayMs: 200 });
    const thinStreams = await openStreamsRss(thin.url, thin.child.pid ?? 0, OPEN_STREAMS);
    const gatewayStreams = await openStreamsRss(gateway.url, gateway.child.pid ?? 0, OPEN_STREAMS);
    console.log(
      `\nIdle RSS (fresh process, after one request of each kind): gateway ${fmt(idleGateway)} MB, thin ${fmt(idleThin)} MB, gateway ÷ thin ${fmt(idleGateway / idleThin, 2)}`,
    );
    console.log(
      `RSS with ${OPEN_STREAMS} streams open at once: gateway ${fmt(gatewayStreams.peakMb)} MB (${gatewayStreams.open} open), thin ${fmt(thinStreams.peakMb)} MB (${thinStreams.open} open)  (load ${load()})`,
    );
    goals.push(
      { goal: "idle RSS ≤ 1.1× thin", ok: idleGateway <= 1.1 * idleThin },
      {
        goal: `RSS ≤ 150 MB with ${OPEN_STREAMS} open streams`,
        ok: gatewayStreams.peakMb <= 150 && gatewayStreams.open === OPEN_STREAMS,
      },
    );
  }

  await Promise.all([
    stopProcess(gateway.child),
    stopProcess(thin.child),
    ...(baseline ? [stopProcess(baseline.child)] : []),
  ]);
  if (!process.env.BENCH_SKIP_CLI) goals.push(...cliStartup());

  console.log("");
  for (const g of goals) console.log(`${g.ok ? "met   " : "MISSED"}  ${g.goal}`);
  fake.child.disconnect();
}

await main();
