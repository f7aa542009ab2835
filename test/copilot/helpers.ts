import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveSettings } from "../../src/config/settings.js";
import { type CopilotClientOptions, createCopilotClient } from "../../src/copilot/client.js";
import { createCopilotSession } from "../../src/copilot/session.js";
import type { FakeUpstream } from "../fake-upstream/server.js";

/** A client wired to the fake, recording the waits the transport asks for instead of sleeping them. */
export function fakeClient(
  fake: FakeUpstream,
  options: CopilotClientOptions & {
    idleMs?: number;
    firstByteMs?: number;
    env?: Record<string, string>;
  } = {},
) {
  const settings = resolveSettings({}, { ...fake.env(), ...options.env });
  const session = createCopilotSession({
    settings,
    githubToken: {
      value: "gho_test0000000000000000000000000000000000",
      origin: "flag",
      label: "--github-token",
    },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    timeouts: {
      ...(options.idleMs !== undefined && { idleMs: options.idleMs }),
      ...(options.firstByteMs !== undefined && { firstByteMs: options.firstByteMs }),
    },
  });
  const waits: number[] = [];
  session.sleep = async (ms: number) => {
    waits.push(ms);
  };
  return { client: createCopilotClient(session, options), session, waits };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawn the built CLI against the fake with a fresh home: `COPILOT_GITHUB_TOKEN` set, stdin fed from `input`
 * (closed at once when absent). Colour is decided by the CLI itself (the pipes are not TTYs).
 */
export function runCli(
  fake: FakeUpstream,
  args: string[],
  options: { input?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  const home = mkdtempSync(join(tmpdir(), "cg-cli-"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    TZ: "UTC",
    HOME: home,
    COPILOT_GATEWAY_HOME: home,
    COPILOT_GITHUB_TOKEN: "gho_cli00000000000000000000000000000000000",
    ...fake.env(),
  };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, ["bin/copilot-gateway.js", ...args], { env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdin.end(options.input ?? "");
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** Poll until `check()` holds (at most `ms`), for effects that land asynchronously on the fake's side. */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}
