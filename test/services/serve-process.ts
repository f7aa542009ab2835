import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const BIN = join(process.cwd(), "bin", "copilot-gateway.js");

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output: string[];
}

/**
 * `copilot-gateway serve --port 0 ARGS` in its own process, resolved with its URL once it listens (and its output
 * matches `ready`, when given).
 */
export function startServe(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
  ready?: RegExp,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const text = output.join("");
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m?.[1] && (!ready || ready.test(text))) resolve({ child, url: m[1], output });
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${output.join("")}`)));
  });
}

/** SIGTERM, resolved once it exited. */
export async function stopServe(serve: ServeProcess | undefined): Promise<void> {
  if (!serve || serve.child.exitCode !== null) return;
  const exited = new Promise((resolve) => serve.child.once("exit", resolve));
  serve.child.kill("SIGTERM");
  await exited;
}
