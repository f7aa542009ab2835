import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";

/**
 * The README's "Use it from code" examples, run as written: each ```ts block after an `<!-- example: NAME -->` marker
 * is extracted, stripped of types (TypeScript's own transpiler) and run in a fresh node process from the repository,
 * so `copilot-gateway` and `copilot-gateway/ai-sdk` resolve through package.json "exports" to dist/, as for a user.
 * The process points at the fake and must exit by itself.
 */
function readmeExamples(): Map<string, string> {
  const readme = readFileSync("README.md", "utf8");
  const out = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)\n```/g)) {
    out.set(match[1] as string, match[2] as string);
  }
  return out;
}

const fake = new FakeUpstream();
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => fake.reset());

function run(
  code: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const home = mkdtempSync(join(tmpdir(), "cg-readme-"));
  const child = spawn(process.execPath, ["--input-type=module", "-e", js], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      COPILOT_GATEWAY_HOME: home,
      COPILOT_GITHUB_TOKEN: "gho_readme00000000000000000000000000000000",
      AI_SDK_LOG_WARNINGS: "false",
      ...fake.env(),
      ...env,
    },
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
  return new Promise((resolve) => child.on("exit", (exit) => resolve({ code: exit, stdout, stderr })));
}

const examples = readmeExamples();

describe("README: Use it from code", () => {
  it("has the five examples", () => {
    expect([...examples.keys()]).toEqual(["entry-point", "openai-sdk", "anthropic-sdk", "ai-sdk", "sign-in"]);
  });

  it("entry-point: a completion, then a stream, then close", async () => {
    const { code, stdout, stderr } = await run(examples.get("entry-point") ?? "");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe("echo: hi\necho: write a haiku");
  }, 60_000);

  it("openai-sdk: the official SDK through copilot.fetch", async () => {
    const { code, stdout, stderr } = await run(examples.get("openai-sdk") ?? "");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe("echo: hi\n4\n");
  }, 60_000);

  it("anthropic-sdk: a streamed Claude message through copilot.fetch", async () => {
    const { code, stdout, stderr } = await run(examples.get("anthropic-sdk") ?? "");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/\S+\n(end_turn|max_tokens|tool_use|stop_sequence)\n$/);
    expect(fake.requestsTo("/v1/messages")).toHaveLength(1);
  }, 60_000);

  it("ai-sdk: generateText, then streamText with a tool round on Claude's native path", async () => {
    fake.state.copilot.toolCalls = true;
    const { code, stdout, stderr } = await run(examples.get("ai-sdk") ?? "");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.startsWith("echo: hi\n")).toBe(true);
    const messages = fake.requestsTo("/v1/messages");
    expect(messages).toHaveLength(2);
    const last = messages.at(-1)?.body as { messages: { content: { type: string; content?: unknown }[] }[] };
    const result = last.messages.at(-1)?.content.find((b) => b.type === "tool_result");
    expect(JSON.stringify(result?.content)).toContain("sunny");
  }, 60_000);

  it("sign-in: the device flow, the token stored where createCopilot finds it", async () => {
    const { code, stdout, stderr } = await run(examples.get("sign-in") ?? "", { COPILOT_GITHUB_TOKEN: "" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Open \S+\/login\/device and enter WDJB-MJHT\n/);
    expect(stdout).toMatch(/Signed in as octocat; token stored in \S+\/tokens\/github\.com\.json\n$/);
  }, 60_000);
});
