import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ModelNotEnabledError, UnknownModelError } from "../../src/copilot/model-errors.js";
import { defaultChatModel, parseModelCatalogue } from "../../src/copilot/models.js";
import { closeModelMatches, resolveModel } from "../../src/copilot/resolve-model.js";
import { chatRouteFor } from "../../src/copilot/routing.js";
import { AbortedError } from "../../src/errors.js";
import { fixtureJson } from "../fake-upstream/fixtures.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { fakeClient } from "./helpers.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

describe("parseModelCatalogue", () => {
  it("keeps the documented fields of every valid model of the real capture", () => {
    const { models, skipped } = parseModelCatalogue(fixtureJson("copilot-models.json"));
    expect(skipped).toEqual([]);
    expect(models.map((m) => m.id)).toContain("gpt-5.1-codex");
    const claude = models.find((m) => m.id === "claude-opus-4.6");
    expect(claude).toMatchObject({
      name: "Claude Opus 4.6",
      vendor: "Anthropic",
      preview: false,
      model_picker_enabled: true,
      billing: { is_premium: true, multiplier: 3 },
      policy: { state: "enabled" },
      supported_endpoints: ["/v1/messages", "/chat/completions"],
      capabilities: {
        type: "chat",
        family: "claude-opus-4.6",
        tokenizer: "o200k_base",
        limits: { max_context_window_tokens: 200000, vision: { max_prompt_images: 1 } },
        supports: { tool_calls: true, vision: true, reasoning_effort: ["low", "medium", "high"] },
      },
    });
    // Fields outside the kept set are dropped.
    expect(claude).not.toHaveProperty("model_picker_category");
  });

  it("skips a model that fails the schema and de-duplicates repeated ids", () => {
    const good = { id: "a", capabilities: { type: "chat" } };
    const { models, skipped } = parseModelCatalogue({
      data: [good, { id: "broken", capabilities: { type: 42 } }, { nope: true }, { ...good, name: "second" }],
    });
    expect(models).toEqual([{ id: "a", capabilities: { type: "chat" } }]);
    expect(skipped.map((s) => s.id)).toEqual(["broken", undefined]);
  });

  it("takes the default from is_chat_default, never a hard-coded id", () => {
    const { models } = parseModelCatalogue(fixtureJson("copilot-models.json"));
    expect(defaultChatModel(models)?.id).toBe("gpt-4.1");
    const flipped = models.map((m) => ({ ...m, is_chat_default: m.id === "gpt-5-mini" }));
    expect(defaultChatModel(flipped)?.id).toBe("gpt-5-mini");
  });
});

describe("resolveModel", () => {
  const { models } = parseModelCatalogue({
    data: [
      ...fixtureJson<{ data: unknown[] }>("copilot-models.json").data,
      { id: "off", policy: { state: "disabled" }, capabilities: { type: "chat" } },
      { id: "terms", policy: { state: "requires_consent" }, capabilities: { type: "chat" } },
    ],
  });

  it("names an unknown model and lists close matches", () => {
    const error = (() => {
      try {
        resolveModel(models, "gpt-5-mni", "chat");
      } catch (e) {
        return e;
      }
    })() as UnknownModelError;
    expect(error).toBeInstanceOf(UnknownModelError);
    expect(error.code).toBe("model_not_found");
    expect(error.suggestions[0]).toBe("gpt-5-mini");
    expect(error.message).toBe(
      'Unknown model "gpt-5-mni" for this Copilot seat. Did you mean "gpt-5-mini"? Run `copilot-gateway models` to list the available ones.',
    );
    expect(
      closeModelMatches(
        "claude-sonnet",
        models.map((m) => m.id),
      ),
    ).toContain("claude-sonnet-4.5");
  });

  it("accepts case and separator differences", () => {
    expect(resolveModel(models, "GPT-4-1").id).toBe("gpt-4.1");
  });

  it("says when a model is disabled by policy or awaits consent", () => {
    expect(() => resolveModel(models, "off")).toThrow(ModelNotEnabledError);
    expect(() => resolveModel(models, "off")).toThrow(/disabled by your organization's Copilot policy/);
    expect(() => resolveModel(models, "terms")).toThrow("run `copilot-gateway models enable terms`");
  });

  it("routes Responses-only models to /responses and others to /chat/completions", () => {
    expect(chatRouteFor(resolveModel(models, "gpt-5.1-codex"))).toBe("/responses");
    expect(chatRouteFor(resolveModel(models, "gpt-5-mini"))).toBe("/chat/completions");
    expect(chatRouteFor(resolveModel(models, "gpt-4o"))).toBe("/chat/completions");
  });
});

describe("client.models()", () => {
  it("fetches once within the TTL and again on demand", async () => {
    const { client } = fakeClient(fake);
    const first = await client.models();
    await client.models();
    expect(fake.requestsTo("/models")).toHaveLength(1);
    expect(first.find((m) => m.id === "fake-disabled-model")?.policy?.state).toBe("disabled");
    await client.models({ refresh: true });
    expect(fake.requestsTo("/models")).toHaveLength(2);
  });

  it("shares one fetch between concurrent callers; one caller's abort does not fail the others", async () => {
    fake.state.copilot.thinkTimeMs = 100;
    const { client } = fakeClient(fake);
    const controller = new AbortController();
    const first = client.models({ signal: controller.signal });
    const second = client.models();
    controller.abort();
    await expect(first).rejects.toBeInstanceOf(AbortedError);
    expect((await second).length).toBeGreaterThan(0);
    expect(fake.requestsTo("/models")).toHaveLength(1);
  });

  it("fetches again once the TTL has passed", async () => {
    let now = 0;
    const { client } = fakeClient(fake, { modelsTtlMs: 1000, now: () => now });
    await client.models();
    now = 999;
    await client.models();
    expect(fake.requestsTo("/models")).toHaveLength(1);
    now = 1000;
    await client.models();
    expect(fake.requestsTo("/models")).toHaveLength(2);
  });

  it("refreshes a stale catalogue once before calling a model unknown", async () => {
    let now = 0;
    const { client } = fakeClient(fake, { now: () => now, missRefreshMs: 100 });
    await client.models();
    fake.state.copilot.extraModels.push({ id: "brand-new", capabilities: { type: "chat" } });
    now = 200;
    expect((await client.model("brand-new")).id).toBe("brand-new");
    expect(fake.requestsTo("/models")).toHaveLength(2);
    await expect(client.model("still-missing")).rejects.toBeInstanceOf(UnknownModelError);
  });

  it("enables a model awaiting consent through POST /models/{id}/policy", async () => {
    const { client } = fakeClient(fake);
    await expect(client.model("fake-consent-model")).rejects.toThrow(/models enable fake-consent-model/);
    expect(await client.enableModel("fake-consent-model")).toEqual({
      model: "fake-consent-model",
      changed: true,
    });
    const call = fake.requestsTo("/models/fake-consent-model/policy")[0];
    expect(call?.method).toBe("POST");
    expect(call?.body).toEqual({ state: "enabled" });
    expect((await client.model("fake-consent-model")).policy?.state).toBe("enabled");
  });

  it("refuses to enable a model disabled by policy, and names unknown ones", async () => {
    const { client } = fakeClient(fake);
    await expect(client.enableModel("fake-disabled-model")).rejects.toThrow(/disabled by your organization/);
    await expect(client.enableModel("gpt-4.2")).rejects.toBeInstanceOf(UnknownModelError);
  });
});
