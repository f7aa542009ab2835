// The processes a bench starts: the fake upstream and the gateway, each on its own, and a way to stop them.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BENCH_GITHUB_TOKEN = "gho_bench000000000000000000000000000000000";

export interface FakeProcess {
  child: ChildProcess;
  url: string;
  /** Merge into the fake's Copilot state; resolves once the fake applied it. */
  set(state: object): Promise<void>;
}

/** The fake upstream in its own process (bench/fake-process.ts), so it does not share an event loop with the load. */
export function startFake(): Promise<FakeProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/fake-process.ts"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("message", (message: { url?: string }) => {
      if (!message.url) return reject(new Error("the fake did not start"));
      resolve({
        child,
        url: message.url,
        set: (state) =>
          new Promise<void>((done) => {
            child.once("message", () => done());
            child.send({ state });
          }),
      });
    });
  });
}

/** The environment that points a gateway at the fake and signs it in with the bench's GitHub token. */
export function fakeSignInEnv(fakeUrl: string): Record<string, string> {
  return {
    COPILOT_GATEWAY_GITHUB_URL: fakeUrl,
    COPILOT_GATEWAY_GITHUB_API_URL: fakeUrl,
    COPILOT_GITHUB_TOKEN: BENCH_GITHUB_TOKEN,
  };
}

export interface GatewayOptions {
  /** Another build's bin/copilot-gateway.js. */
  bin?: string;
  /** Extra `serve` arguments. */
  args?: string[];
  env: Record<string, string>;
  /** Flags for node itself (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** What the log says once the gateway can serve. */
  ready?: RegExp;
}

/** `copilot-gateway serve --port 0` in a fresh home; resolves with its URL once its log says it is ready. */
export async function startGateway(options: GatewayOptions): Promise<{ child: ChildProcess; url: string }> {
  const home = mkdtempSync(join(tmpdir(), "cg-bench-"));
  // The log (one line per request) goes to a file, as a service manager would keep it, not to a pipe we must drain.
  const logPath = join(home, "gateway.log");
  const logFd = openSync(logPath, "w");
  const bin = options.bin ?? "bin/copilot-gateway.js";
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), bin, "serve", "--port", "0", ...(options.args ?? [])],
    {
      env: { PATH: process.env.PATH ?? "", HOME: home, COPILOT_GATEWAY_HOME: home, ...options.env },
      stdio: ["ignore", "ignore", logFd],
    },
  );
  closeSync(logFd);
  const ready = options.ready ?? /Copilot ready|warning/;
  const until = Date.now() + 20_000;
  for (;;) {
    const log = readFileSync(logPath, "utf8");
    const url = /listening on (http:\/\/\S+)/.exec(log)?.[1];
    if (url && ready.test(log)) return { child, url };
    if (child.exitCode !== null || Date.now() > until) throw new Error(`the gateway did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The Copilot token the fake hands the bench's GitHub token (for clients that talk to the fake directly). */
export async function copilotToken(fakeUrl: string): Promise<string> {
  const res = await fetch(`${fakeUrl}/copilot_internal/v2/token`, {
    headers: { authorization: `token ${BENCH_GITHUB_TOKEN}`, accept: "application/json" },
  });
  return ((await res.json()) as { token: string }).token;
}

export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
