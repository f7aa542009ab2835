import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const BIN = join(process.cwd(), "bin", "copilot-gateway.js");

/** One gateway process (a replica), its URL and everything it printed. */
export interface Replica {
  child: ChildProcess;
  url: string;
  output: string[];
}

/** Start `serve --team --redis …` as its own process and wait for its start-up lines. */
export function startReplica(env: NodeJS.ProcessEnv, args: string[]): Promise<Replica> {
  const child = spawn(process.execPath, [BIN, "serve", "--team", "--port", "0", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const text = output.join("");
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m?.[1] && text.includes("Store: ")) resolve({ child, url: m[1], output });
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${output.join("")}`)));
  });
}

export async function stopReplica(
  replica: Replica | undefined,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<void> {
  if (!replica || replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  const exited = new Promise((resolve) => replica.child.once("exit", resolve));
  replica.child.kill(signal);
  await exited;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}
