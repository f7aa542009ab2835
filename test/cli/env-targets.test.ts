import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { runCli } from "../copilot/helpers.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { startGateway } from "../server/harness.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

describe("copilot-gateway env for every target, each parsed by its real format", () => {
  it("codex: a [model_providers] block TOML accepts (also appended to a config with tables), plus the key variable", async () => {
    const { code, stdout, stderr } = await runCli(fake, [
      "env",
      "codex",
      "--port",
      "4242",
      "--shell",
      "bash",
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const existing = 'model = "o3"\n\n[mcp_servers.docs]\ncommand = "docs-server"\n\n';
    const config = parseToml(existing + stdout) as Record<string, Record<string, Record<string, unknown>>>;
    expect(config.model_providers?.["copilot-gateway"]).toEqual({
      name: "copilot-gateway",
      base_url: "http://127.0.0.1:4242/v1",
      env_key: "COPILOT_GATEWAY_CLIENT_KEY",
      wire_api: "responses",
    });
    expect(stdout).toContain(
      "# Set the key Codex sends: export COPILOT_GATEWAY_CLIENT_KEY='copilot-gateway'\n",
    );
    // The newest Codex model of the catalogue, which speaks the Responses API that wire_api names.
    expect(stdout).toContain("# Then run: codex -c model_provider=copilot-gateway -m gpt-5.1-codex\n");
    expect(stdout).toContain(
      "Append to ~/.codex/config.toml: copilot-gateway env codex --port 4242 --shell bash >> ~/.codex/config.toml",
    );
  });

  it("opencode: JSON on stdout (advice on stderr) with an openai-compatible provider and models from the catalogue", async () => {
    const { code, stdout, stderr } = await runCli(fake, ["env", "opencode", "--api-key", "sk-team"]);
    expect(code).toBe(0);
    expect(stderr).toContain("Save as opencode.json");
    const config = JSON.parse(stdout);
    expect(config).toEqual({
      $schema: "https://opencode.ai/config.json",
      provider: {
        "copilot-gateway": {
          npm: "@ai-sdk/openai-compatible",
          name: "copilot-gateway",
          options: { baseURL: "http://127.0.0.1:4141/v1", apiKey: "sk-team" },
          models: {
            "claude-sonnet-4.5": { name: "claude-sonnet-4.5" },
            "claude-opus-4.6": { name: "claude-opus-4.6" },
            "gpt-4.1": { name: "gpt-4.1" },
            "gpt-5.1-codex": { name: "gpt-5.1-codex" },
          },
        },
      },
      model: "copilot-gateway/claude-sonnet-4.5",
      small_model: "copilot-gateway/gpt-4.1",
    });
  });

  it("continue: a config.yaml YAML accepts, with OpenAI-provider models at the gateway", async () => {
    const { code, stdout } = await runCli(fake, ["env", "continue"]);
    expect(code).toBe(0);
    const config = parseYaml(stdout);
    expect(config).toMatchObject({ name: "copilot-gateway", schema: "v1" });
    expect(config.models[0]).toEqual({
      name: "claude-sonnet-4.5 (Copilot)",
      provider: "openai",
      model: "claude-sonnet-4.5",
      apiBase: "http://127.0.0.1:4141/v1",
      apiKey: "copilot-gateway",
      roles: ["chat", "edit", "apply"],
    });
  });

  it("aider: bash evaluates it to the OpenAI base, key and litellm model names", async () => {
    const { stdout } = await runCli(fake, ["env", "aider", "--shell", "bash", "--port", "4343"]);
    expect(stdout.split("\n")[0]).toBe(
      `# aider → copilot-gateway at http://127.0.0.1:4343. Apply with: eval "$(copilot-gateway env aider --port 4343 --shell bash)", then run aider`,
    );
    const printed = execFileSync("bash", ["-c", `${stdout}\nenv`], { env: {}, encoding: "utf8" });
    expect(printed).toContain("OPENAI_API_BASE=http://127.0.0.1:4343/v1\n");
    expect(printed).toContain("OPENAI_API_KEY=copilot-gateway\n");
    expect(printed).toContain("AIDER_MODEL=openai/claude-sonnet-4.5\n");
  });

  it("curl: the printed command, run by bash with the real curl, gets a chat completion through the gateway", async () => {
    const gateway = await startGateway(fake, { apiKeys: ["sk-curl"] });
    try {
      const port = new URL(gateway.url).port;
      const { stdout } = await runCli(fake, ["env", "curl", "--port", port, "--api-key", "sk-curl"]);
      // Asynchronous: the gateway and the fake answer from this very process.
      const ran = await promisify(execFile)("bash", ["-c", stdout], { encoding: "utf8" });
      const answer = JSON.parse(ran.stdout);
      expect(answer.object).toBe("chat.completion");
      expect(answer.model).toContain("claude-sonnet-4.5");
      expect(typeof answer.choices[0].message.content).toBe("string");
    } finally {
      await gateway.close();
    }
  });
});
