import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";
import { tempHomes } from "./cli-run.js";

// util-linux `script` gives the CLI a real pseudo-terminal, so the confirmation prompt runs as a person sees it.
const hasScript = spawnSync("script", ["--version"]).status === 0;
const BIN = fileURLToPath(new URL("../../bin/copilot-gateway.js", import.meta.url));

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

async function loginOnTty(answer: string) {
  const { home, state } = tempHomes();
  const dir = join(home, ".config", "github-copilot");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "apps.json"),
    JSON.stringify({ "github.com:Iv1.b507a08c87ecfe98": { user: "octocat", oauth_token: "ghu_plugin0001" } }),
  );
  const child = spawn("script", ["-qefc", `"${process.execPath}" "${BIN}" login --no-browser`, "/dev/null"], {
    env: { PATH: process.env.PATH ?? "", HOME: home, COPILOT_GATEWAY_HOME: state, ...fake.env() },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  await vi.waitFor(() => expect(output).toContain("[Y/n]"), { timeout: 10_000 });
  child.stdin.write(`${answer}\n`);
  const code = await exit;
  return { code, output, tokenFile: join(state, "tokens", "github.com.json") };
}

describe.skipIf(!hasScript)("copilot-gateway login on a terminal", () => {
  it("asks before importing another tool's token and imports it on yes", async () => {
    const { code, output, tokenFile } = await loginOnTty("y");
    expect(code).toBe(0);
    expect(output).toContain("Import the GitHub token for octocat from GitHub Copilot's apps.json");
    expect(output).toContain("Imported the token from GitHub Copilot's apps.json");
    expect(JSON.parse(readFileSync(tokenFile, "utf8")).token).toBe("ghu_plugin0001");
    expect(fake.deviceCodesIssued).toBe(0);
  });

  it("runs the device flow instead on no", async () => {
    const { code, output, tokenFile } = await loginOnTty("n");
    expect(code).toBe(0);
    expect(output).toContain("enter the code:  WDJB-MJHT");
    expect(fake.deviceCodesIssued).toBe(1);
    expect(JSON.parse(readFileSync(tokenFile, "utf8")).token).toBe(
      "gho_fake0000000000000000000000000000000001",
    );
  });
});
