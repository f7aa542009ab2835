import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { saveGitHubToken } from "../../src/auth/token-store.js";
import { EXIT_CODES } from "../../src/errors.js";
import { closedPortUrl } from "../auth/closed-port.js";
import { tempHomes } from "./cli-run.js";

// Structural, not timed: a command that needs no network must not load zod (about Node's own start-up time) or
// the HTTP stack, which keeps it within 2x a bare `node -e 0` (measured by `BENCH_CLI=1 npm run bench`).

const BIN = fileURLToPath(new URL("../../bin/copilot-gateway.js", import.meta.url));
const REGISTER = fileURLToPath(new URL("./module-trace/register.mjs", import.meta.url));

interface Traced {
  code: number | null;
  stdout: string;
  modules: string[];
}

function traceCli(args: string[], env: Record<string, string>): Promise<Traced> {
  const trace = join(tempHomes().home, "modules.txt");
  const child = spawn(process.execPath, ["--import", REGISTER, BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env, MODULE_TRACE_FILE: trace },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on("close", (code) =>
      resolve({
        code,
        stdout,
        modules: existsSync(trace) ? readFileSync(trace, "utf8").split("\n").filter(Boolean) : [],
      }),
    );
  });
}

const heavy = (modules: string[]) =>
  modules.filter(
    (url) =>
      /\/node_modules\/(zod|undici)\//.test(url) || /\/dist\/(copilot\/client|http\/\w+)\.js$/.test(url),
  );

function homes(): Record<string, string> {
  const { home, state } = tempHomes();
  return { HOME: home, COPILOT_GATEWAY_HOME: state };
}

describe("commands that need no network load neither zod nor the HTTP stack", () => {
  const noToken: [string, string[], number][] = [
    ["--help", ["--help"], 0],
    ["status --help", ["status", "--help"], 0],
    ["status --json", ["status", "--json"], EXIT_CODES.notSignedIn],
    ["status", ["status"], EXIT_CODES.notSignedIn],
    ["env claude-code", ["env", "claude-code"], EXIT_CODES.notSignedIn],
    ["env with an unknown target", ["env", "nope"], EXIT_CODES.usage],
    ["models", ["models"], EXIT_CODES.notSignedIn],
    ["usage --history", ["usage", "--history"], EXIT_CODES.notSignedIn],
    ["chat", ["chat", "hello"], EXIT_CODES.notSignedIn],
    ["debug", ["debug"], 0],
  ];
  for (const [name, args, exitCode] of noToken) {
    it(`${name}, with no token`, async () => {
      const result = await traceCli(args, homes());
      expect(result.code).toBe(exitCode);
      expect(result.modules.some((url) => url.endsWith("/dist/cli/main.js"))).toBe(true);
      expect(heavy(result.modules)).toEqual([]);
    });
  }

  it("status --json says not signed in, as JSON", async () => {
    const result = await traceCli(["status", "--json"], homes());
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: "not_signed_in" } });
  });

  it("debug and token read a stored login without zod", async () => {
    const env = homes();
    saveGitHubToken(
      { homeDir: env.COPILOT_GATEWAY_HOME as string, host: "github.com" },
      { token: "gho_startupmodules000000000000000000abcd", login: "octocat" },
    );
    const debug = await traceCli(["debug", "--json"], env);
    expect(debug.code).toBe(0);
    expect(JSON.parse(debug.stdout).credentialSource).toMatch(/^the stored login/);
    expect(heavy(debug.modules)).toEqual([]);
    const token = await traceCli(["token"], env);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toBe("gho_startupmodules000000000000000000abcd");
    expect(heavy(token.modules)).toEqual([]);
  });

  it("a command that goes online does load them (the trace sees them)", async () => {
    const url = await closedPortUrl();
    const result = await traceCli(["models"], {
      ...homes(),
      GH_TOKEN: "gho_startupmodules000000000000000000abcd",
      COPILOT_GATEWAY_GITHUB_URL: url,
      COPILOT_GATEWAY_GITHUB_API_URL: url,
    });
    expect(result.code).not.toBe(0);
    expect(heavy(result.modules)).toEqual(
      expect.arrayContaining([expect.stringContaining("/node_modules/undici/")]),
    );
  });
});
