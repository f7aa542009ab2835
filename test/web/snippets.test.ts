import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { chooseClientModels } from "../../src/clients/client-models.js";
import { clientSetup, renderClientSetup } from "../../src/clients/client-setup.js";
import { parseModelCatalogue } from "../../src/copilot/models.js";
import { gatewaySnippets } from "../../src/web/snippets.js";

const catalogue = parseModelCatalogue(
  JSON.parse(readFileSync(new URL("../fixtures/copilot-models.json", import.meta.url), "utf8")),
).models;
const models = chooseClientModels(catalogue);

describe("the page's snippets", () => {
  const snippets = gatewaySnippets({
    origin: "http://127.0.0.1:4141",
    apiKeyRequired: true,
    claudeCodeModels: models,
  });
  const text = (id: string) => snippets.find((s) => s.id === id)?.text ?? "";

  it("are the setups `env` prints, for every target, with a key placeholder", () => {
    expect(snippets.map((s) => s.id)).toEqual([
      "base-url",
      "python",
      "javascript",
      "claude-code",
      "codex",
      "opencode",
      "aider",
      "continue",
      "curl",
    ]);
    const codex = clientSetup("codex", {
      origin: "http://127.0.0.1:4141",
      apiKey: "YOUR_GATEWAY_API_KEY",
      models,
      shell: "bash",
      command: "copilot-gateway env codex",
    });
    expect(text("codex")).toBe(renderClientSetup(codex).trimEnd());
    expect(text("claude-code")).toContain("export ANTHROPIC_AUTH_TOKEN='YOUR_GATEWAY_API_KEY'");
  });

  it("each parses in its own format", () => {
    expect(parseToml(text("codex"))).toHaveProperty(
      ["model_providers", "copilot-gateway", "wire_api"],
      "responses",
    );
    expect(JSON.parse(text("opencode")).provider["copilot-gateway"].options.apiKey).toBe(
      "YOUR_GATEWAY_API_KEY",
    );
    expect(parseYaml(text("continue")).models[0].apiBase).toBe("http://127.0.0.1:4141/v1");
  });
});
