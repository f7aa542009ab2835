import { describe, expect, it } from "vitest";
import { ChatStreamNormalizer } from "../../src/server/openai/chat-stream-normalizer.js";
import { fixtureText } from "../fake-upstream/fixtures.js";

const options = { includeUsage: false, multipleChoices: false };

/** Feed `text` in pieces of `size` bytes and return the `data:` payloads the client receives. */
function run(text: string, size: number, opts = options): string[] {
  const normalizer = new ChatStreamNormalizer(opts);
  const bytes = Buffer.from(text);
  let out = "";
  for (let i = 0; i < bytes.length; i += size) out += normalizer.push(bytes.subarray(i, i + size)).toString();
  out += normalizer.end();
  return out
    .split("\n\n")
    .filter(Boolean)
    .map((block) => block.replace(/^data: /, ""));
}

const content = (text: string) =>
  `data: ${JSON.stringify({ id: "c1", choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

describe("ChatStreamNormalizer", () => {
  it("passes a chunk of plain content deltas on as the very same Buffer", () => {
    const normalizer = new ChatStreamNormalizer(options);
    const chunk = Buffer.from(content("hello") + content(" world"));
    expect(normalizer.push(chunk)).toBe(chunk);
  });

  it("gives the same events whatever the chunking, CRLF included", () => {
    const gpt = fixtureText("chat-stream-gpt.sse");
    const whole = run(gpt, 1 << 20);
    for (const size of [1, 7, 64, 333]) expect(run(gpt, size)).toEqual(whole);
    expect(run(gpt.replace(/\n/g, "\r\n"), 50)).toEqual(whole);
    expect(whole.at(-1)).toBe("[DONE]");
    expect(whole.filter((d) => d === "[DONE]")).toHaveLength(1);
  });

  it("drops the prompt-filter chunk and the usage chunk unless usage is asked for", () => {
    const gpt = fixtureText("chat-stream-gpt.sse");
    const plain = run(gpt, 100);
    expect(plain.some((d) => d.includes("prompt_filter_results"))).toBe(false);
    expect(plain.some((d) => d.includes('"choices":[]'))).toBe(false);
    const withUsage = run(gpt, 100, { includeUsage: true, multipleChoices: false });
    const usage = JSON.parse(withUsage.at(-2) ?? "{}") as {
      choices: unknown[];
      usage: { total_tokens: number };
    };
    expect(usage.choices).toEqual([]);
    expect(usage.usage.total_tokens).toBeGreaterThan(0);
  });

  it("records the token counts of the usage chunk", () => {
    const normalizer = new ChatStreamNormalizer(options);
    normalizer.push(Buffer.from(fixtureText("chat-stream-claude-tools.sse")));
    expect(normalizer.usage).toEqual({ inputTokens: 2128, outputTokens: 170 });
  });

  it("gives a second tool call that reuses index 0 the next index", () => {
    const events = run(fixtureText("chat-stream-claude-tools.sse"), 256).filter((d) =>
      d.includes("tool_calls"),
    );
    const calls = events.flatMap(
      (d) =>
        (JSON.parse(d) as { choices: { delta: { tool_calls: { index: number; id?: string }[] } }[] })
          .choices[0]?.delta.tool_calls ?? [],
    );
    const starts = calls.filter((c) => c.id);
    expect(starts.map((c) => c.index)).toEqual([0, 1]);
    const second = calls.findIndex((c) => c.id === starts[1]?.id);
    expect(calls.slice(second).every((c) => c.index === 1)).toBe(true);
    expect(calls.slice(0, second).every((c) => c.index === 0)).toBe(true);
  });

  it("folds a second choice into choice 0 when one choice was asked for, and keeps it when n > 1", () => {
    const chunk = `data: ${JSON.stringify({ id: "c", choices: [{ index: 1, delta: { content: "x" } }] })}\n\n`;
    const folded = JSON.parse(run(chunk, 1000)[0] ?? "{}") as { choices: { index: number }[] };
    expect(folded.choices[0]?.index).toBe(0);
    const kept = JSON.parse(run(chunk, 1000, { includeUsage: false, multipleChoices: true })[0] ?? "{}") as {
      choices: { index: number }[];
    };
    expect(kept.choices[0]?.index).toBe(1);
  });

  it("adds [DONE] when upstream ends without it, and keeps an error object for the client", () => {
    const error = `data: ${JSON.stringify({ error: { message: "boom", code: "server_error" } })}\n\n`;
    const out = run(content("a") + error, 1000);
    expect(out).toHaveLength(3);
    expect(JSON.parse(out[1] ?? "{}")).toEqual({ error: { message: "boom", code: "server_error" } });
    expect(out[2]).toBe("[DONE]");
  });

  it("forwards the untouched events of a mixed chunk as their own bytes, without the dropped ones", () => {
    const normalizer = new ChatStreamNormalizer(options);
    const filter = `data: ${JSON.stringify({ choices: [], prompt_filter_results: [] })}\n\n`;
    const usage = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } })}\n\n`;
    const out = normalizer.push(
      Buffer.from(`${filter}${content("a")}${content("b")}${usage}data: [DONE]\n\n`),
    );
    expect(out.toString()).toBe(`${content("a")}${content("b")}data: [DONE]\n\n`);
    expect(normalizer.usage).toEqual({ inputTokens: 3, outputTokens: 2 });
  });

  it("joins an event split over many chunks and keeps its bytes", () => {
    const normalizer = new ChatStreamNormalizer(options);
    const event = Buffer.from(content("split across pieces"));
    let out = "";
    for (let i = 0; i < event.length; i += 5) out += normalizer.push(event.subarray(i, i + 5)).toString();
    expect(out).toBe(event.toString());
  });

  it("reads events with an event name, comments or several data lines through the SSE parser", () => {
    const second = (text: string) => ({ id: "c", choices: [{ index: 1, delta: { content: text } }] });
    const text = `: keep-alive\n\nevent: message\ndata: ${JSON.stringify(second("x"))}\n\ndata: {"id":"c",\ndata: "choices":[{"index":1,"delta":{"content":"y"}}]}\n\n`;
    const events = run(text, 1000);
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.slice(0, -1).map((d) => JSON.parse(d))).toEqual(
      ["x", "y"].map((t) => ({ id: "c", choices: [{ index: 0, delta: { content: t } }] })),
    );
  });

  it("takes a key-like text inside content for content", () => {
    const tricky = content('"usage":{"index":1} "tool_calls" "choices":[]');
    const normalizer = new ChatStreamNormalizer(options);
    const chunk = Buffer.from(tricky);
    expect(normalizer.push(chunk)).toBe(chunk);
  });
});
