import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../copilot/helpers.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

describe("copilot-gateway models", () => {
  it("prints a plain table when piped: id, vendor, context, vision, tools, endpoints, policy, premium", async () => {
    const { code, stdout, stderr } = await runCli(fake, ["models"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).not.toMatch(/\u001b\[/);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^ID\s+VENDOR\s+CONTEXT\s+VISION\s+TOOLS\s+ENDPOINTS\s+POLICY\s+PREMIUM$/);
    expect(lines.find((l) => l.startsWith("claude-opus-4.6 "))?.split(/\s{2,}/)).toEqual([
      "claude-opus-4.6",
      "Anthropic",
      "200k",
      "yes",
      "yes",
      "messages,chat",
      "enabled",
      "×3",
    ]);
    expect(lines.find((l) => l.startsWith("gpt-5.1-codex "))).toMatch(/\sresponses,ws\s/);
    expect(lines.find((l) => l.startsWith("fake-disabled-model "))).toMatch(/\sdisabled\s/);
    expect(lines.find((l) => l.startsWith("fake-consent-model "))).toMatch(/\srequires_consent\s/);
    expect(lines.find((l) => l.startsWith("gpt-4.1 "))).toMatch(/^gpt-4\.1 \*/);
  });

  it("colours the table only when FORCE_COLOR asks and NO_COLOR is unset", async () => {
    const coloured = await runCli(fake, ["models"], { env: { FORCE_COLOR: "1" } });
    expect(coloured.stdout).toMatch(/\u001b\[1mID/);
    const plain = await runCli(fake, ["models"], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
    expect(plain.stdout).not.toMatch(/\u001b\[/);
  });

  it("uses colour on a real terminal, and not under NO_COLOR", async () => {
    const onTty = async (extra: Record<string, string>) => {
      const home = mkdtempSync(join(tmpdir(), "cg-tty-"));
      const command = "stty cols 200; node bin/copilot-gateway.js models";
      const child = spawn("script", ["-qfec", command, "/dev/null"], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: home,
          COPILOT_GATEWAY_HOME: home,
          COPILOT_GITHUB_TOKEN: "gho_tty000000000000000000000000000000000000",
          TERM: "xterm",
          ...fake.env(),
          ...extra,
        },
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
      });
      child.stdin.end();
      await new Promise((r) => child.on("close", r));
      return out;
    };
    expect(await onTty({})).toMatch(/\u001b\[1mID/);
    const plain = await onTty({ NO_COLOR: "1" });
    expect(plain).toMatch(/^ID\s+VENDOR/);
    expect(plain).not.toMatch(/\u001b\[/);
  });

  it("fits the terminal's width, dropping the least useful columns, never cutting a word", async () => {
    /** `models` on a pseudo-terminal `cols` wide (util-linux `script`; `stty` sets the width the CLI reads). */
    const onTty = async (cols: number) => {
      const home = mkdtempSync(join(tmpdir(), "cg-tty-"));
      const command = `stty cols ${cols}; node bin/copilot-gateway.js models`;
      const child = spawn("script", ["-qfec", command, "/dev/null"], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: home,
          COPILOT_GATEWAY_HOME: home,
          COPILOT_GITHUB_TOKEN: "gho_tty000000000000000000000000000000000000",
          NO_COLOR: "1",
          ...fake.env(),
        },
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
      });
      child.stdin.end();
      await new Promise((r) => child.on("close", r));
      return out.replaceAll("\r", "").split("\n");
    };
    const narrow = await onTty(60);
    expect(narrow[0]).toMatch(/^ID\s+CONTEXT\s+POLICY\s+PREMIUM$/);
    for (const line of narrow) expect(line.length, line).toBeLessThanOrEqual(60);
    expect(narrow.find((l) => l.startsWith("claude-opus-4.6 "))?.split(/\s{2,}/)).toEqual([
      "claude-opus-4.6",
      "200k",
      "enabled",
      "×3",
    ]);
    const note = narrow.slice(narrow.findIndex((l) => l.startsWith("Hidden"))).join(" ");
    expect(note).toMatch(
      /^Hidden to fit the terminal: VENDOR, VISION, TOOLS, ENDPOINTS \(a wider terminal or --json shows them\)\./,
    );
    const wide = await onTty(120);
    expect(wide[0]).toMatch(/^ID\s+VENDOR\s+CONTEXT\s+VISION\s+TOOLS\s+ENDPOINTS\s+POLICY\s+PREMIUM$/);
    for (const line of wide) expect(line.length, line).toBeLessThanOrEqual(120);
    expect(wide.some((l) => l.includes("Hidden to fit"))).toBe(false);
  });

  it("keeps every column when piped, whatever COLUMNS says", async () => {
    const { stdout } = await runCli(fake, ["models"], { env: { COLUMNS: "40" } });
    expect(stdout.split("\n")[0]).toMatch(
      /^ID\s+VENDOR\s+CONTEXT\s+VISION\s+TOOLS\s+ENDPOINTS\s+POLICY\s+PREMIUM$/,
    );
  });

  it("--json prints the parsed catalogue as a JSON array", async () => {
    const { code, stdout } = await runCli(fake, ["models", "--json"]);
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { id: string; capabilities: { type: string } }[];
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((m) => m.id)).toContain("text-embedding-3-small");
    expect(list.find((m) => m.id === "text-embedding-3-small")?.capabilities.type).toBe("embeddings");
  });

  it("`models enable` accepts a model's terms, and refuses a policy-disabled one", async () => {
    const ok = await runCli(fake, ["models", "enable", "fake-consent-model"]);
    expect(ok).toMatchObject({ code: 0, stdout: "", stderr: "Enabled fake-consent-model.\n" });
    expect(fake.requestsTo("/models/fake-consent-model/policy")).toHaveLength(1);
    const refused = await runCli(fake, ["models", "enable", "fake-disabled-model"]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toBe(
      'error: The model "fake-disabled-model" is disabled by your organization\'s Copilot policy and cannot be enabled here; ask an admin to enable it.\n',
    );
    // Decided from the catalogue alone: the policy endpoint is never called for a policy-disabled model.
    expect(fake.requestsTo("/models/fake-disabled-model/policy")).toHaveLength(0);
  });

  it("skips a catalogue entry that does not parse, and names it with --verbose", async () => {
    fake.state.copilot.extraModels.push({ id: "broken-model", capabilities: { type: 7 } });
    const quiet = await runCli(fake, ["models"]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout).not.toContain("broken-model");
    const verbose = await runCli(fake, ["--verbose", "models"]);
    expect(verbose.stderr).toBe("note: skipped 1 catalogue entry that did not parse: broken-model\n");
  });

  it("fails in one line with exit 3 when nobody is signed in", async () => {
    const { code, stderr } = await runCli(fake, ["models"], { env: { COPILOT_GITHUB_TOKEN: undefined } });
    expect(code).toBe(3);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^error: No GitHub token/);
  });

  it("explains an Editor-Version the API rejects", async () => {
    const { code, stderr } = await runCli(fake, ["models"], {
      env: { COPILOT_GATEWAY_EDITOR_VERSION: "emacs/29" },
    });
    expect(code).toBe(7);
    expect(stderr).toMatch(/^error: Copilot rejected the editor version .*COPILOT_GATEWAY_EDITOR_VERSION/);
  });
});
