import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ModelNotFoundError,
  normalizeModelId,
  parseModelMapEntries,
  readModelMapFile,
  resolveAnthropicModel,
} from "../../src/anthropic/model-names.js";
import { fixtureJson } from "../fake-upstream/fixtures.js";

/** The live catalogue's ids, as the fake serves them (recorded from the real /models). */
const catalogue = fixtureJson<{ data: { id: string }[] }>("copilot-models.json").data.map((m) => m.id);

describe("resolveAnthropicModel", () => {
  it.each([
    ["claude-sonnet-4.5", "claude-sonnet-4.5"],
    ["claude-sonnet-4-5", "claude-sonnet-4.5"],
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4.5"],
    ["claude-sonnet-4-5-latest", "claude-sonnet-4.5"],
    ["claude-sonnet-4-5@20250929", "claude-sonnet-4.5"],
    ["anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4.5"],
    ["Claude-Opus-4-6", "claude-opus-4.6"],
    ["claude-opus-4-6-20260205", "claude-opus-4.6"],
    ["gpt-4.1", "gpt-4.1"],
    ["GPT-4.1", "gpt-4.1"],
  ])("%s → %s", (requested, expected) => {
    expect(resolveAnthropicModel(requested, catalogue)).toBe(expected);
  });

  it("a bare family or family-latest alias picks the newest model of that family in the catalogue", () => {
    expect(resolveAnthropicModel("sonnet", catalogue)).toBe("claude-sonnet-4.5");
    expect(resolveAnthropicModel("claude-opus-latest", catalogue)).toBe("claude-opus-4.6");
    expect(
      resolveAnthropicModel("claude-sonnet", ["claude-sonnet-4", "claude-sonnet-4.5", "claude-3.7-sonnet"]),
    ).toBe("claude-sonnet-4.5");
  });

  it("old-style ids (version before family) meet Copilot's dotted form", () => {
    expect(resolveAnthropicModel("claude-3-5-sonnet-20241022", ["claude-3.5-sonnet"])).toBe(
      "claude-3.5-sonnet",
    );
    expect(resolveAnthropicModel("claude-3-5-sonnet-latest", ["claude-3.5-sonnet"])).toBe(
      "claude-3.5-sonnet",
    );
  });

  it("a version spelt without its dot still matches (claude-opus-41)", () => {
    expect(resolveAnthropicModel("claude-opus-4-1-20250805", ["claude-opus-41"])).toBe("claude-opus-41");
  });

  it("the user's map wins, also by normalised name and by glob, and its target is resolved too", () => {
    const map = {
      "claude-3-5-haiku-20241022": "gpt-5-mini",
      "claude-haiku-*": "gpt-4.1",
      custom: "claude-sonnet-4-5",
    };
    expect(resolveAnthropicModel("claude-3-5-haiku-20241022", catalogue, map)).toBe("gpt-5-mini");
    expect(resolveAnthropicModel("claude-3-5-haiku-latest", catalogue, map)).toBe("gpt-5-mini");
    expect(resolveAnthropicModel("claude-haiku-4-5-20251001", catalogue, map)).toBe("gpt-4.1");
    expect(resolveAnthropicModel("custom", catalogue, map)).toBe("claude-sonnet-4.5");
  });

  it("an unknown id is a not_found error naming it and listing the Claude models", () => {
    let error: unknown;
    try {
      resolveAnthropicModel("claude-haiku-4-5-20251001", catalogue);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelNotFoundError);
    expect(error).toMatchObject({ code: "model_not_found", status: 404 });
    expect((error as Error).message).toBe(
      'Model "claude-haiku-4-5-20251001" is not available on this Copilot seat. Claude models available: claude-opus-4.6, claude-sonnet-4.5. Add an alias with --model-map claude-haiku-4-5-20251001=<model>.',
    );
  });

  it("a different version is not silently swapped in", () => {
    expect(() => resolveAnthropicModel("claude-sonnet-4-6", catalogue)).toThrow(ModelNotFoundError);
  });

  it("a map to a model that is not on the seat says so", () => {
    expect(() => resolveAnthropicModel("x", catalogue, { x: "gpt-9" })).toThrow(
      /mapped to "gpt-9", which is not available/,
    );
  });

  it("normalisation keeps numbers that are not versions intact", () => {
    expect(normalizeModelId("gpt-4-1106-preview")).toBe("gpt-4-1106-preview");
    expect(normalizeModelId("claude-3-7-sonnet-20250219")).toBe("claude-3.7-sonnet");
  });
});

describe("model map input", () => {
  it("parses repeated FROM=TO flags", () => {
    expect(parseModelMapEntries(["a=b", " claude-x = gpt-4.1 "])).toEqual({ a: "b", "claude-x": "gpt-4.1" });
  });

  it.each(["noequals", "=to", "from="])("refuses %j with a usage error", (entry) => {
    expect(() => parseModelMapEntries([entry])).toThrow(/Invalid --model-map/);
  });

  it("reads a JSON map file and refuses a malformed one", () => {
    const dir = mkdtempSync(join(tmpdir(), "model-map-"));
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ "claude-haiku-*": "gpt-5-mini" }));
    expect(readModelMapFile(good)).toEqual({ "claude-haiku-*": "gpt-5-mini" });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ a: 1 }));
    expect(() => readModelMapFile(bad)).toThrow(/must be a JSON object of model names/);
    expect(() => readModelMapFile(join(dir, "missing.json"))).toThrow(
      /Cannot read the model map file .*ENOENT/,
    );
  });
});
