import { countTokens as cl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { countTokens as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { countMessagesTokens } from "../../src/anthropic/count-tokens.js";
import { IMAGE_TOKEN_CEILING } from "../../src/anthropic/image-tokens.js";

const SYSTEM = "You are a careful assistant.";
const QUESTION = "How many tokens is this sentence, exactly?";

describe("countMessagesTokens", () => {
  it("counts system and messages with the named tokenizer, plus the chat framing", async () => {
    const body = { model: "gpt-4.1", system: SYSTEM, messages: [{ role: "user", content: QUESTION }] };
    // framing: 3 to prime the reply + 3 per message (system and user)
    expect(await countMessagesTokens(body, { tokenizer: "o200k_base" })).toEqual({
      input_tokens: 3 + 3 + o200k(SYSTEM) + 3 + o200k(QUESTION),
      tokenizer: "o200k_base",
    });
    expect(await countMessagesTokens(body, { tokenizer: "cl100k_base" })).toEqual({
      input_tokens: 3 + 3 + cl100k(SYSTEM) + 3 + cl100k(QUESTION),
      tokenizer: "cl100k_base",
    });
  });

  it("Claude models (or an unknown tokenizer) are counted with o200k_base", async () => {
    const body = { model: "claude-sonnet-4-5", messages: [{ role: "user", content: QUESTION }] };
    expect(await countMessagesTokens(body, { tokenizer: undefined })).toEqual({
      input_tokens: 3 + 3 + o200k(QUESTION),
      tokenizer: "o200k_base",
    });
  });

  it("counts tools by their JSON definition, tool calls and results, and an unreadable image at the ceiling", async () => {
    const tool = { name: "weather", description: "Get the weather", input_schema: { type: "object" } };
    const body = {
      model: "m",
      tools: [tool],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Look" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
          ],
        },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "t1", name: "weather", input: { city: "Oslo" } }],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "-3°C" }] },
      ],
    };
    const expected =
      3 +
      (3 + o200k("Look") + IMAGE_TOKEN_CEILING) +
      (3 + o200k("weather") + o200k('{"city":"Oslo"}')) +
      (3 + o200k("-3°C")) +
      o200k(JSON.stringify(tool));
    expect((await countMessagesTokens(body)).input_tokens).toBe(expected);
  });

  it("special-token text is counted as text, not refused", async () => {
    const body = { model: "m", messages: [{ role: "user", content: "<|endoftext|>" }] };
    expect((await countMessagesTokens(body)).input_tokens).toBe(
      6 + o200k("<|endoftext|>", { disallowedSpecial: new Set() }),
    );
  });

  it.each([
    [{ messages: [] }, /model/],
    [{ model: "m" }, /messages/],
    [{ model: "m", messages: [{ role: "robot", content: "x" }] }, /messages\.0\.role/],
    [
      { model: "m", messages: [{ role: "user", content: [{ type: "image", source: { type: "base64" } }] }] },
      /messages\.0\.content/,
    ],
  ])("a malformed request is a 400 invalid_request, never a made-up count (%j)", async (body, pattern) => {
    const error = await countMessagesTokens(body).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid_request", status: 400 });
    expect((error as Error).message).toMatch(pattern);
  });
});
