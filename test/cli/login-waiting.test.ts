import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";
import { runCli, tempHomes } from "./cli-run.js";

const BIN = fileURLToPath(new URL("../../bin/copilot-gateway.js", import.meta.url));
const hasScript = spawnSync("script", ["--version"]).status === 0;

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

/** A directory of stand-in desktop tools that record how they were called (arguments, then stdin). */
function fakeTools(
  home: string,
  names: string[],
): { bin: string; record: (name: string) => string | undefined } {
  const bin = join(home, "fake-bin");
  mkdirSync(bin, { recursive: true });
  for (const name of names) {
    const script = join(bin, name);
    writeFileSync(
      script,
      `#!/bin/sh\nPATH=/usr/bin:/bin\nprintf '%s\\n' "$*" > "${bin}/${name}.args"\ncat > "${bin}/${name}.stdin"\n`,
    );
    chmodSync(script, 0o755);
  }
  return {
    bin,
    record: (name) => {
      const args = join(bin, `${name}.args`);
      if (!existsSync(args)) return undefined;
      const stdin = join(bin, `${name}.stdin`);
      return `${readFileSync(args, "utf8").trim()} <${existsSync(stdin) ? readFileSync(stdin, "utf8") : ""}>`;
    },
  };
}

describe("copilot-gateway login while waiting", () => {
  it("without a TTY: plain lines, the code copied with the clipboard tool found on PATH, then plan and next step", async () => {
    const { home, state } = tempHomes();
    const tools = fakeTools(home, ["xclip"]);
    const result = await runCli(["login"], {
      ...fake.env(),
      HOME: home,
      COPILOT_GATEWAY_HOME: state,
      PATH: tools.bin,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      [
        "",
        `To sign in to github.com, open ${fake.url}/login/device`,
        "and enter the code:  WDJB-MJHT",
        "",
        "Copied the code to the clipboard (xclip).",
        "Waiting for approval (the code expires in 15 min; Ctrl-C to cancel)…",
        `Stored the GitHub token in ${join(state, "tokens", "github.com.json")}.`,
        "Signed in to github.com as octocat (Copilot Business).",
        'Next: run `copilot-gateway serve` to start the gateway, or `copilot-gateway chat "hello"` to ask Copilot.',
        "",
      ].join("\n"),
    );
    expect(tools.record("xclip")).toBe("-selection clipboard <WDJB-MJHT>");
  });

  it("says nothing about the clipboard when no tool is on PATH, and never fails for it", async () => {
    const { home, state } = tempHomes();
    const tools = fakeTools(home, []);
    const result = await runCli(["login"], {
      ...fake.env(),
      HOME: home,
      COPILOT_GATEWAY_HOME: state,
      PATH: tools.bin,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("clipboard");
    expect(result.stderr).toContain("Signed in to github.com as octocat (Copilot Business).");
  });

  it.skipIf(!hasScript)(
    "on a terminal: opens the browser and says so, a spinner and a countdown",
    async () => {
      fake.state.deviceFlow.approved = false;
      fake.state.deviceFlow.interval = 1;
      const { home, state } = tempHomes();
      const tools = fakeTools(home, ["xdg-open", "xclip"]);
      const child = spawn("script", ["-qfec", `"${process.execPath}" "${BIN}" login`, "/dev/null"], {
        env: {
          ...fake.env(),
          PATH: `${tools.bin}:${process.env.PATH ?? ""}`,
          HOME: home,
          COPILOT_GATEWAY_HOME: state,
          TERM: "xterm",
        },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
      // Two different countdown readings: it is live, redrawn in place after a spinner frame.
      await vi.waitFor(
        () => expect(out).toMatch(/\r[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for approval… the code expires in 1[45]:\d\d/),
        {
          timeout: 15_000,
        },
      );
      const first = /expires in (1[45]:\d\d)/.exec(out)?.[1];
      await vi.waitFor(
        () => expect([...out.matchAll(/expires in (1[45]:\d\d)/g)].some((m) => m[1] !== first)).toBe(true),
        { timeout: 15_000 },
      );
      fake.state.deviceFlow.approved = true;
      expect(await exit).toBe(0);
      expect(out).toContain(`Opened ${fake.url}/login/device in your browser.`);
      expect(tools.record("xdg-open")).toBe(`${fake.url}/login/device <>`);
      expect(out).toContain("Copied the code to the clipboard (xclip).");
      expect(out).toContain("Signed in to github.com as octocat (Copilot Business).");
      // The plain waiting line is for pipes only.
      expect(out).not.toContain("Waiting for approval (the code expires in 15 min");
    },
  );
});
