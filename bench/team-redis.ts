// `npm run bench:team`: the team gateway on Redis against the single-user gateway, both against the fake upstream
// (its own process, zero think time), at 16 connections, non-streamed and streamed. Rounds are interleaved and
// medians reported. Rows: single-user; team on Redis with no per-person limit (key lookups cached in the replica:
// no Redis round trip per request); team on Redis with --user-rpm (one Lua script per request); with --user-rpm and
// --user-concurrency (still one script per request, plus the slot's release after the answer). Besides req/s, the
// gateway process's own CPU time per request (/proc/PID/stat), which stays meaningful on a busy shared machine.
// Knobs: BENCH_DURATION_MS, BENCH_WARMUP_MS, BENCH_ROUNDS, BENCH_CONNS (default 16), BENCH_GATEWAY_NODE_ARGS (node
// flags for every gateway process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the hot path),
// BENCH_BASELINE_BIN (another build's bin/copilot-gateway.js: its team rows run in the same rounds, for before/after).
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisConnection } from "../src/store/redis/redis-connection.js";
import { RedisKeys } from "../src/store/redis/redis-keys.js";
import { RedisStore } from "../src/store/redis/redis-store.js";
import { generatePersonalKey, hashSecret, newKeyId, personalKeyHint } from "../src/team/personal-key.js";
import { githubTokenContext } from "../src/team/sealing.js";
import { createSecretBox } from "../src/team/secret-box.js";
import { loadSecretKeys } from "../src/team/secret-keys.js";
import { RedisServer } from "../test/services/redis-server.js";
import { runLoad } from "./load.js";
import { cpuMs } from "./rss.js";

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNS = Number(process.env.BENCH_CONNS ?? 16);
const GITHUB_TOKEN = "gho_bench000000000000000000000000000000000";
const SECRET = Buffer.alloc(32, 3).toString("base64");

function startFake(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/fake-process.ts"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("message", (m: { url?: string }) =>
      m.url ? resolve({ child, url: m.url }) : reject(new Error("fake")),
    );
  });
}

async function startGateway(
  args: string[],
  env: Record<string, string>,
  bin = "bin/copilot-gateway.js",
): Promise<{ child: ChildProcess; url: string }> {
  const home = mkdtempSync(join(tmpdir(), "cg-bench-team-"));
  const logPath = join(home, "gateway.log");
  const logFd = openSync(logPath, "w");
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, bin, "serve", "--port", "0", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, COPILOT_GATEWAY_HOME: home, ...env },
    stdio: ["ignore", "ignore", logFd],
  });
  closeSync(logFd);
  const until = Date.now() + 20_000;
  for (;;) {
    const log = readFileSync(logPath, "utf8");
    const url = /listening on (http:\/\/\S+)/.exec(log)?.[1];
    if (url && /Copilot ready|Store: |warning/.test(log)) return { child, url };
    if (child.exitCode !== null || Date.now() > until) throw new Error(`the gateway did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A person signed in, as the store holds them after a sign-in: their sealed GitHub token and one key. */
async function seedPerson(redisUrl: string, prefix: string): Promise<string> {
  const connection = await RedisConnection.open({ url: redisUrl });
  const store = new RedisStore(connection, new RedisKeys(prefix));
  const box = createSecretBox(loadSecretKeys(tmpdir(), { COPILOT_GATEWAY_SECRET: SECRET }).keys);
  const key = generatePersonalKey();
  const now = Date.now();
  await store.createSignIn({
    id: "bench",
    via: "connect",
    keyName: "bench",
    sealedDeviceCode: box.seal("device", "bench"),
    userCode: "BENCH-0001",
    verificationUri: "https://github.com/login/device",
    intervalSeconds: 5,
    createdAt: now,
    expiresAt: now + 900_000,
    nextPollAt: now,
    status: "pending",
  });
  await store.completeSignIn({
    signInId: "bench",
    user: { login: "bench", githubId: 1, orgs: [], createdAt: now, lastSignInAt: now },
    token: {
      login: "bench",
      sealed: box.seal(GITHUB_TOKEN, githubTokenContext("bench")),
      host: "github.com",
      updatedAt: now,
    },
    key: {
      id: newKeyId(),
      login: "bench",
      name: "bench",
      hash: hashSecret(key),
      hint: personalKeyHint(key),
      createdAt: now,
    },
    audit: [],
  });
  await connection.close();
  return key;
}

const body = (stream: boolean) =>
  JSON.stringify({
    model: "gpt-4.1",
    messages: [{ role: "user", content: "Say hello to the benchmark in one short sentence, please." }],
    ...(stream && { stream: true }),
  });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const fake = await startFake();
const redis = await RedisServer.start();
const fakeEnv = { COPILOT_GATEWAY_GITHUB_URL: fake.url, COPILOT_GATEWAY_GITHUB_API_URL: fake.url };
const single = await startGateway([], { ...fakeEnv, COPILOT_GITHUB_TOKEN: GITHUB_TOKEN });
const teamEnv = { ...fakeEnv, COPILOT_GATEWAY_SECRET: SECRET };
const teamKey = await seedPerson(redis.url, "bench1");
const limitedKey = await seedPerson(redis.url, "bench2");
const bothKey = await seedPerson(redis.url, "bench3");
const team = await startGateway(["--team", "--redis", redis.url, "--redis-prefix", "bench1"], teamEnv);
const limited = await startGateway(
  ["--team", "--redis", redis.url, "--redis-prefix", "bench2", "--user-rpm", "100000000"],
  teamEnv,
);
const both = await startGateway(
  [
    "--team",
    "--redis",
    redis.url,
    "--redis-prefix",
    "bench3",
    "--user-rpm",
    "100000000",
    "--user-concurrency",
    "1000",
  ],
  teamEnv,
);
const targets = [
  { name: "single-user gateway", url: single.url, key: "unused", pid: single.child.pid ?? 0 },
  { name: "team on Redis, no per-person limit", url: team.url, key: teamKey, pid: team.child.pid ?? 0 },
  {
    name: "team on Redis, --user-rpm (1 script/request)",
    url: limited.url,
    key: limitedKey,
    pid: limited.child.pid ?? 0,
  },
  {
    name: "team on Redis, --user-rpm + --user-concurrency",
    url: both.url,
    key: bothKey,
    pid: both.child.pid ?? 0,
  },
];
const baselineBin = process.env.BENCH_BASELINE_BIN;
const baselines = [];
if (baselineBin) {
  for (const [prefix, limits] of [
    ["base1", []],
    ["base2", ["--user-rpm", "100000000"]],
    ["base3", ["--user-rpm", "100000000", "--user-concurrency", "1000"]],
  ] as const) {
    const key = await seedPerson(redis.url, prefix);
    const gateway = await startGateway(
      ["--team", "--redis", redis.url, "--redis-prefix", prefix, ...limits],
      teamEnv,
      baselineBin,
    );
    baselines.push(gateway);
    targets.push({
      name: `baseline: team${limits.length === 0 ? ", no limit" : limits.length === 2 ? ", --user-rpm" : ", rpm + concurrency"}`,
      url: gateway.url,
      key,
      pid: gateway.child.pid ?? 0,
    });
  }
}
try {
  for (const stream of [false, true]) {
    const rps = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    const cpu = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const cpuBefore = cpuMs(t.pid);
        const result = await runLoad({
          origin: t.url,
          path: "/v1/chat/completions",
          headers: { "content-type": "application/json", authorization: `Bearer ${t.key}` },
          body: body(stream),
          concurrency: CONNS,
          durationMs: DURATION_MS,
          warmupMs: WARMUP_MS,
        });
        if (result.errors > 0) throw new Error(`${t.name}: ${result.errors} failed requests`);
        rps.get(t.name)?.push(result.rps);
        cpu.get(t.name)?.push(((cpuMs(t.pid) - cpuBefore) * 1000) / Math.max(1, result.totalRequests));
      }
    }
    const base = median(rps.get(targets[0]!.name) ?? []);
    const baseCpu = median(cpu.get(targets[0]!.name) ?? []);
    console.log(
      `\n${stream ? "streamed" : "non-streamed"}, ${CONNS} connections (median of ${ROUNDS} rounds)`,
    );
    for (const t of targets) {
      const m = median(rps.get(t.name) ?? []);
      const c = median(cpu.get(t.name) ?? []);
      console.log(
        `  ${t.name.padEnd(46)} ${m.toFixed(0).padStart(6)} req/s ${(m / base).toFixed(2)}×   ${c.toFixed(0).padStart(5)} µs CPU/request ${(baseCpu / c).toFixed(2)}× throughput per CPU`,
      );
    }
  }
} finally {
  for (const child of [
    single.child,
    team.child,
    limited.child,
    both.child,
    ...baselines.map((b) => b.child),
    fake.child,
  ])
    child.kill("SIGTERM");
  await redis.dispose();
}
