// `npm run bench:livelog`: does the gateway's throughput hold with 100 open live-log tabs (issue #15)? The gateway
// and the fake upstream each run in their own process, the tabs in a third (bench/live-log-readers.ts) and the load
// generator here, so reading the tabs does not slow the load generator's event loop. Each round measures
// non-streamed chat completions at BENCH_CONNS connections with no tab open, then with BENCH_TABS tabs open and
// reading; it reports req/s and the gateway's own CPU µs per request (/proc/PID/stat, steadier than req/s on a
// shared machine), medians over interleaved rounds, and met/MISSED against "does not fall": req/s with the tabs
// ≥ 0.9× req/s without. Knobs: BENCH_DURATION_MS, BENCH_WARMUP_MS, BENCH_ROUNDS, BENCH_CONNS (default 16),
// BENCH_TABS (default 100), BENCH_BASELINE_BIN (another build's bin/copilot-gateway.js, measured alike).
import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism, cpus, loadavg } from "node:os";
import { runLoad } from "./load.js";
import { fakeSignInEnv, startFake, startGateway, stopProcess } from "./processes.js";
import { cpuMs } from "./rss.js";

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNS = Number(process.env.BENCH_CONNS ?? 16);
const TABS = Number(process.env.BENCH_TABS ?? 100);

interface Readers {
  child: ChildProcess;
  ask<T>(message: object): Promise<T>;
}

function startReaders(): Promise<Readers> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/live-log-readers.ts"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = <T>(message: object) =>
    new Promise<T>((resolve) => {
      child.once("message", (answer) => resolve(answer as T));
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("message", () => resolve({ child, ask }));
  });
}

const body = JSON.stringify({
  model: "gpt-4.1",
  messages: [{ role: "user", content: "Say hello to the benchmark in one short sentence, please." }],
});

interface Sample {
  rps: number;
  cpuUs: number;
  errors: number;
}

async function measure(url: string, pid: number): Promise<Sample> {
  const before = cpuMs(pid);
  const result = await runLoad({
    origin: url,
    path: "/v1/chat/completions",
    headers: { "content-type": "application/json" },
    body,
    concurrency: CONNS,
    durationMs: DURATION_MS,
    warmupMs: WARMUP_MS,
  });
  return {
    rps: result.rps,
    cpuUs: ((cpuMs(pid) - before) * 1000) / Math.max(1, result.totalRequests),
    errors: result.errors,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");

const fake = await startFake();
await fake.set({ thinkTimeMs: 0 });
const readers = await startReaders();
const builds = [{ name: "this build", bin: undefined as string | undefined }];
if (process.env.BENCH_BASELINE_BIN) builds.push({ name: "baseline", bin: process.env.BENCH_BASELINE_BIN });
const gateways = [];
for (const build of builds)
  gateways.push({
    ...build,
    ...(await startGateway({ ...(build.bin && { bin: build.bin }), env: fakeSignInEnv(fake.url) })),
  });

console.log(
  `copilot-gateway live-log bench: ${availableParallelism()} CPU (${cpus()[0]?.model ?? "?"}), Node ${process.version}, non-streamed at ${CONNS} connections, 0 vs ${TABS} reading tabs, ${DURATION_MS} ms per run after ${WARMUP_MS} ms warm-up, ${ROUNDS} rounds; load average ${load()}`,
);
const goals: { goal: string; ok: boolean }[] = [];
try {
  for (const gateway of gateways) {
    const pid = gateway.child.pid ?? 0;
    const rounds: { idle: Sample; tabs: Sample; bytesPerTabPerS: number; refused: number }[] = [];
    await measure(gateway.url, pid); // warm-up: JIT and connection pools, not counted
    for (let round = 0; round < ROUNDS; round++) {
      const withTabs = async () => {
        const opened = await readers.ask<{ open: number; refused: number }>({ open: TABS, url: gateway.url });
        const bytesBefore = (await readers.ask<{ bytes: number }>({ stats: true })).bytes;
        const started = performance.now();
        const sample = await measure(gateway.url, pid);
        const seconds = (performance.now() - started) / 1000;
        const bytes = (await readers.ask<{ bytes: number }>({ stats: true })).bytes - bytesBefore;
        await readers.ask({ close: true });
        return { sample, opened, bytesPerTabPerS: bytes / Math.max(1, opened.open) / seconds };
      };
      // Alternate which goes first, so a drift in the machine's load hits both alike.
      let idle: Sample;
      let tabbed: Awaited<ReturnType<typeof withTabs>>;
      if (round % 2 === 0) {
        idle = await measure(gateway.url, pid);
        tabbed = await withTabs();
      } else {
        tabbed = await withTabs();
        idle = await measure(gateway.url, pid);
      }
      const { sample: tabs, opened, bytesPerTabPerS } = tabbed;
      rounds.push({ idle, tabs, bytesPerTabPerS, refused: opened.refused });
      console.log(
        `${gateway.name} round ${round + 1}: 0 tabs ${idle.rps.toFixed(0)} req/s ${idle.cpuUs.toFixed(0)} µs | ${opened.open} tabs ${tabs.rps.toFixed(0)} req/s ${tabs.cpuUs.toFixed(0)} µs, ${(bytesPerTabPerS / 1024).toFixed(0)} KB/s per tab${opened.refused ? `, ${opened.refused} refused` : ""}${idle.errors + tabs.errors ? `, errors ${idle.errors + tabs.errors}` : ""}  (load ${load()})`,
      );
    }
    const rpsRatio = median(rounds.map((r) => r.tabs.rps / r.idle.rps));
    const cpuRatio = median(rounds.map((r) => r.tabs.cpuUs / r.idle.cpuUs));
    console.log(
      `${gateway.name}: 0 tabs ${median(rounds.map((r) => r.idle.rps)).toFixed(0)} req/s ${median(rounds.map((r) => r.idle.cpuUs)).toFixed(0)} µs CPU/req; ${TABS} tabs asked for ${median(rounds.map((r) => r.tabs.rps)).toFixed(0)} req/s ${median(rounds.map((r) => r.tabs.cpuUs)).toFixed(0)} µs CPU/req; with ÷ without: req/s ${rpsRatio.toFixed(2)}, CPU/req ${cpuRatio.toFixed(2)}  (load ${load()})\n`,
    );
    goals.push(
      { goal: `${gateway.name}: req/s with ${TABS} live-log tabs ≥ 0.9× without`, ok: rpsRatio >= 0.9 },
      {
        goal: `${gateway.name}: all ${TABS} tabs served`,
        ok: rounds.every((r) => r.refused === 0),
      },
    );
  }
} finally {
  await Promise.all(gateways.map((g) => stopProcess(g.child)));
  readers.child.disconnect();
  fake.child.disconnect();
}
for (const g of goals) console.log(`${g.ok ? "met   " : "MISSED"}  ${g.goal}`);
