import { describe, expect, it } from "vitest";
import { normalizeCompletion } from "../../src/server/openai/chat-response.js";
import { hasNonZeroIndex, probeUsage } from "../../src/server/openai/usage-probe.js";

const completion = (choices: unknown[], usage: unknown, pretty = false) =>
  Buffer.from(JSON.stringify({ id: "c", choices, usage, model: "m" }, null, pretty ? 2 : undefined));
const choice = (index: number, content: string) => ({
  index,
  message: { role: "assistant", content },
  finish_reason: "stop",
});

describe("probeUsage / hasNonZeroIndex", () => {
  it("reads the usage object of compact and pretty JSON, nested objects included", () => {
    const usage = { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 0 } };
    expect(probeUsage(completion([choice(0, "hi")], usage))).toEqual(usage);
    expect(probeUsage(completion([choice(0, "hi")], usage, true))).toEqual(usage);
    expect(probeUsage(completion([choice(0, "hi")], null))).toBeUndefined();
    expect(probeUsage(Buffer.from('{"choices":[]}'))).toBeUndefined();
  });

  it("is not fooled by key-like text or braces inside strings", () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2 };
    const raw = completion([choice(0, '"usage":{"prompt_tokens":99} } {')], usage);
    expect(probeUsage(raw)).toEqual(usage);
    expect(hasNonZeroIndex(completion([choice(0, '"index":1')], usage))).toBe(false);
  });

  it("spots a second choice", () => {
    expect(hasNonZeroIndex(completion([choice(0, "a")], null))).toBe(false);
    expect(hasNonZeroIndex(completion([choice(0, "a"), choice(1, "b")], null))).toBe(true);
    expect(hasNonZeroIndex(Buffer.from('{"choices":[{"index":10}]}'))).toBe(true);
  });

  it("forwards a one-choice answer as its own bytes with the token counts, and still folds Claude's split", () => {
    const raw = completion([choice(0, "hi")], { prompt_tokens: 5, completion_tokens: 7 });
    expect(normalizeCompletion(raw, false)).toEqual({ body: raw, inputTokens: 5, outputTokens: 7 });
    const split = completion([choice(0, "a"), choice(1, "b")], { prompt_tokens: 1, completion_tokens: 2 });
    const folded = normalizeCompletion(split, false);
    expect(folded.body).not.toBe(split);
    expect(JSON.parse(folded.body.toString()).choices).toHaveLength(1);
    expect(normalizeCompletion(split, true).body).toBe(split);
  });
});
