import { describe, expect, it } from "vitest";
import { readJsonEvents, streamEventError } from "../../src/sse/json-events.js";
import { readSseEvents } from "../../src/sse/read-sse.js";
import {
  StreamInterruptedError,
  StreamProtocolError,
  UpstreamStreamError,
} from "../../src/sse/stream-errors.js";
import { fixtureText } from "../fake-upstream/fixtures.js";

async function* bytes(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === "string" ? new TextEncoder().encode(p) : p;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("readSseEvents (bytes → events)", () => {
  it("handles CRLF, lines split across chunks, comments and event names", async () => {
    const events = await all(
      readSseEvents(
        bytes(": keep-alive\r\n\r\nevent: ping\r\nda", 'ta: {"a":1}\r\n\r\ndata: {"b"', ":2}\n\n"),
      ),
    );
    expect(events).toEqual([
      { event: "ping", data: '{"a":1}' },
      { event: undefined, data: '{"b":2}' },
    ]);
  });

  it("decodes a multi-byte character split between two chunks", async () => {
    const encoded = new TextEncoder().encode('data: {"t":"Today’s"}\n\n');
    const cut = encoded.indexOf(0xe2) + 1;
    const events = await all(readSseEvents(bytes(encoded.slice(0, cut), encoded.slice(cut))));
    expect(events).toEqual([{ event: undefined, data: '{"t":"Today’s"}' }]);
  });

  it("keeps a final event that lacks its blank line, flagged as unterminated", async () => {
    expect(await all(readSseEvents(bytes("data: [DONE]")))).toEqual([
      { event: undefined, data: "[DONE]", unterminated: true },
    ]);
  });

  it("maps a body that fails mid-read to StreamInterruptedError", async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode("data: {}\n\n");
      throw Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    }
    await expect(all(readSseEvents(broken()))).rejects.toBeInstanceOf(StreamInterruptedError);
  });

  it("parses every event of the real captures", async () => {
    for (const [name, count] of [
      ["chat-stream-gpt.sse", 44],
      ["chat-stream-claude-tools.sse", 143],
      ["responses-stream.sse", 16],
    ] as const) {
      const events = await all(readSseEvents(bytes(fixtureText(name))));
      expect(events.length, name).toBe(count);
    }
  });
});

describe("readJsonEvents (events → JSON)", () => {
  it("stops at [DONE] and ignores what follows", async () => {
    const out = await all(
      readJsonEvents(readSseEvents(bytes('data: {"n":1}\n\ndata: [DONE]\n\ndata: {"n":2}\n\n')), {
        requireDone: true,
      }),
    );
    expect(out.map((e) => e.data)).toEqual([{ n: 1 }]);
  });

  it("throws StreamInterruptedError when [DONE] or a terminal event never comes", async () => {
    await expect(
      all(readJsonEvents(readSseEvents(bytes('data: {"n":1}\n\n')), { requireDone: true })),
    ).rejects.toBeInstanceOf(StreamInterruptedError);
    await expect(
      all(
        readJsonEvents(readSseEvents(bytes("event: message_start\ndata: {}\n\n")), {
          terminalEvents: ["message_stop"],
        }),
      ),
    ).rejects.toBeInstanceOf(StreamInterruptedError);
    const ok = await all(
      readJsonEvents(readSseEvents(bytes('event: message_stop\ndata: {"type":"message_stop"}\n\n')), {
        terminalEvents: ["message_stop"],
      }),
    );
    expect(ok).toHaveLength(1);
  });

  it("turns an embedded error object or an error event into UpstreamStreamError", async () => {
    const embedded = readJsonEvents(
      readSseEvents(
        bytes('data: {"choices":[],"error":{"message":"overloaded","code":"model_overloaded"}}\n\n'),
      ),
    );
    await expect(all(embedded)).rejects.toThrow(
      "Copilot failed mid-answer (model_overloaded: overloaded); retry the request.",
    );
    const event = readJsonEvents(
      readSseEvents(
        bytes(
          'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"busy"}}\n\n',
        ),
      ),
    );
    const error = await all(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamStreamError);
    expect((error as UpstreamStreamError).code).toBe("overloaded_error");
  });

  it("does not mistake Claude's empty content-filter error placeholder for an error", () => {
    expect(
      streamEventError(undefined, {
        choices: [{ content_filter_results: { error: { code: "", message: "" } } }],
      }),
    ).toBeUndefined();
    expect(streamEventError(undefined, { error: { code: "", message: "" } })).toBeUndefined();
    expect(streamEventError(undefined, { error: null })).toBeUndefined();
  });

  it("treats a final event cut short as an interrupted stream, not a protocol error", async () => {
    await expect(
      all(readJsonEvents(readSseEvents(bytes('data: {"n":1}\n\ndata: {"choi')), { requireDone: true })),
    ).rejects.toBeInstanceOf(StreamInterruptedError);
  });

  it("rejects data that is not a JSON object", async () => {
    await expect(all(readJsonEvents(readSseEvents(bytes("data: not json\n\n"))))).rejects.toBeInstanceOf(
      StreamProtocolError,
    );
  });
});
