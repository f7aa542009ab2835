import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../copilot/helpers.js";
import { sseEvents } from "../fake-upstream/fixtures.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway } from "../server/harness.js";

/**
 * The real Claude Code, Codex and opencode CLIs, installed from npm by `.ci/run` into `.ci/.clients` (outside
 * node_modules: they are not dependencies of the project), each set up only with what `copilot-gateway env TARGET`
 * prints and run once, non-interactively, against a gateway in front of the fake upstream.
 */
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CLIENTS_DIR = resolve(process.env.COPILOT_GATEWAY_CLIENTS_DIR ?? join(REPO, ".ci/.clients"));
const bin = (name: string) => join(CLIENTS_DIR, "node_modules/.bin", name);
const KEY = "sk-real-clients";
// Each run waits for a real binary to start up; opencode boots a local server and a database first.
const RUN_TIMEOUT_MS = 150_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn a program with exactly `env` (no developer or CI variables leak in), stdin closed; asynchronous, because
 * the gateway and the fake answer from this very process. */
function run(
  file: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string },
): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS - 5_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const homes: string[] = [];
/** A fresh, empty home for one client run: it must find nothing but what `env` printed. */
function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), "cg-real-client-"));
  homes.push(home);
  return home;
}

/** The words `copilot-gateway env TARGET` prints for this gateway (with its port and key). */
async function envOutput(fake: FakeUpstream, gateway: Harness, target: string): Promise<Run> {
  const port = new URL(gateway.url).port;
  const printed = await runCli(fake, ["env", target, "--port", port, "--api-key", KEY, "--shell", "bash"]);
  expect(printed.code, printed.stderr).toBe(0);
  return printed;
}

/** The user text a client sent, found in the fake's record of one upstream path. */
function requestsCarrying(fake: FakeUpstream, path: string, marker: string) {
  return fake.requestsTo(path).filter((r) => r.rawBody.includes(marker));
}

const modelOf = (request: { body: unknown } | undefined) =>
  (request?.body as { model?: string } | undefined)?.model;

const PATH = process.env.PATH ?? "/usr/bin:/bin";
const clients = [
  { name: "Claude Code", bin: "claude" },
  { name: "Codex", bin: "codex" },
  { name: "opencode", bin: "opencode" },
] as const;
const missing = clients.filter((c) => !existsSync(bin(c.bin)));
// In CI they must run: .ci/run installs them. Elsewhere a missing install is a skip that says how to get one.
const skip = missing.length > 0 && process.env.CI !== "true";
const why = skip
  ? ` (skipped: ${missing.map((c) => c.bin).join(", ")} not in ${CLIENTS_DIR}; \`bash .ci/run\` installs them, or npm install --prefix .ci/.clients @anthropic-ai/claude-code @openai/codex opencode-ai)`
  : "";

if (skip) console.warn(`Real-client runs${why}`);

describe.skipIf(skip)(`real clients from npm, set up only by \`copilot-gateway env\`${why}`, () => {
  const fake = new FakeUpstream();
  let gateway: Harness;
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });
  beforeEach(async () => {
    fake.reset();
    gateway = await startGateway(fake, { apiKeys: [KEY] });
  });
  afterEach(() => gateway.close());

  it("every client is installed (CI installs them; a missing one fails here rather than passing unseen)", () => {
    expect(missing.map((c) => `${c.name}: ${bin(c.bin)}`)).toEqual([]);
  });

  it(
    "Claude Code: `claude -p` with the environment `env claude-code` prints answers from the fake through /v1/messages",
    async () => {
      const printed = await envOutput(fake, gateway, "claude-code");
      const home = freshHome();
      const marker = "real-claude-code-check";
      // The printed lines are the whole setup: bash applies them, as the advice says (eval), then runs the client.
      const script = `${printed.stdout}\nexec "$CLAUDE" -p "$PROMPT"\n`;
      const ran = await run("bash", ["-c", script], {
        cwd: home,
        env: { PATH, HOME: home, CLAUDE: bin("claude"), PROMPT: `Say the word ${marker}.` },
      });
      expect(ran.code, ran.stderr).toBe(0);
      // The fake streams a recorded Messages answer for Claude models; Claude Code prints its text.
      const recorded = sseEvents("messages-stream.sse")
        .map((e) => JSON.parse(e.data))
        .filter((d) => d.type === "content_block_delta" && d.delta.type === "text_delta")
        .map((d) => d.delta.text as string)
        .join("");
      expect(ran.stdout.trim()).toBe(recorded.trim());
      const sent = requestsCarrying(fake, "/v1/messages", marker);
      expect(sent.length).toBeGreaterThanOrEqual(1);
      expect(modelOf(sent[0])).toBe("claude-sonnet-4.5");
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "Codex: `codex exec` with the provider block `env codex` prints in CODEX_HOME/config.toml gets the fake's answer over the Responses API",
    async () => {
      const printed = await envOutput(fake, gateway, "codex");
      const home = freshHome();
      const codexHome = join(home, ".codex");
      mkdirSync(codexHome);
      // As the advice says: appended to ~/.codex/config.toml (here a fresh one), comments and all.
      writeFileSync(join(codexHome, "config.toml"), printed.stdout);
      // Its comments carry the rest: the key export and the command to run.
      const exportLine = /^# Set the key Codex sends: (export .+)$/m.exec(printed.stdout)?.[1];
      const runLine = /^# Then run: (codex .+)$/m.exec(printed.stdout)?.[1];
      expect(exportLine).toBeDefined();
      expect(runLine).toBeDefined();
      const marker = "real-codex-check";
      const command = (runLine ?? "").replace(/^codex /, '"$CODEX" ');
      const script = [
        exportLine,
        // No update check and no analytics: this machine reaches no network but the gateway.
        `exec ${command} -c check_for_update_on_startup=false -c analytics.enabled=false exec --skip-git-repo-check "$PROMPT"`,
      ].join("\n");
      const ran = await run("bash", ["-c", script], {
        cwd: home,
        env: {
          PATH,
          HOME: home,
          CODEX_HOME: codexHome,
          CODEX: bin("codex"),
          PROMPT: `Say the word ${marker}.`,
        },
      });
      expect(ran.code, ran.stderr).toBe(0);
      // The fake's Responses answer echoes the last user text; `codex exec` prints the final message on stdout.
      expect(ran.stdout.trim()).toBe(`echo: Say the word ${marker}.`);
      const sent = requestsCarrying(fake, "/responses", marker);
      expect(sent).toHaveLength(1);
      expect(modelOf(sent[0])).toBe("gpt-5.1-codex");
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "opencode: `opencode run` in a project holding the opencode.json `env opencode` prints gets the fake's answer over chat completions",
    async () => {
      const printed = await envOutput(fake, gateway, "opencode");
      const home = freshHome();
      const project = join(home, "project");
      mkdirSync(project);
      writeFileSync(join(project, "opencode.json"), printed.stdout);
      const marker = "real-opencode-check";
      const ran = await run(bin("opencode"), ["run", `Say the word ${marker}.`], {
        cwd: project,
        env: {
          PATH,
          HOME: home,
          XDG_CONFIG_HOME: join(home, ".config"),
          XDG_DATA_HOME: join(home, ".local/share"),
          XDG_CACHE_HOME: join(home, ".cache"),
          XDG_STATE_HOME: join(home, ".local/state"),
          // No update check, no models.dev catalogue, no share links, no LSP downloads, no ~/.claude: offline.
          OPENCODE_DISABLE_AUTOUPDATE: "1",
          OPENCODE_DISABLE_MODELS_FETCH: "1",
          OPENCODE_DISABLE_SHARE: "1",
          OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
          OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
          OPENCODE_DISABLE_CLAUDE_CODE: "1",
        },
      });
      expect(ran.code, ran.stderr).toBe(0);
      // opencode quotes the message it was given; the fake echoes it back and opencode prints that.
      expect(ran.stdout).toContain(`echo: "Say the word ${marker}."`);
      const sent = requestsCarrying(fake, "/chat/completions", marker);
      // The answer on the main model (opencode also asks its small model for a title, with the same text).
      expect(sent.map(modelOf)).toContain("claude-sonnet-4.5");
    },
    RUN_TIMEOUT_MS,
  );
});
