import { redactErrorChunk } from "./redact.js";

/** An unfinished event longer than this is not an SSE event worth waiting for (or not SSE at all): sent on as is. */
const MAX_HELD_BYTES = 1024 * 1024;
const NOTHING = Buffer.alloc(0);
const LF = 0x0a;

/**
 * Redacts a relayed event stream whole event by whole event, so a secret that upstream split across two chunks is
 * still caught (issue #15). Only complete events go on; the unfinished tail of a chunk waits for the rest of its
 * event, which costs the client nothing (it cannot act on half an event). A chunk that ends on an event boundary,
 * the usual case, is neither copied nor held, and an event without `"error"` passes after one search.
 */
export class EventStreamRedactor {
  #held: Buffer | undefined;

  push(chunk: Uint8Array | string): Buffer {
    let data = typeof chunk === "string" ? Buffer.from(chunk) : asBuffer(chunk);
    if (this.#held) {
      data = Buffer.concat([this.#held, data]);
      this.#held = undefined;
    }
    const cut = endOfLastEvent(data);
    if (cut < data.length) {
      const rest = data.subarray(cut);
      if (rest.length > MAX_HELD_BYTES) return redactErrorChunk(data);
      this.#held = rest;
    }
    return cut === 0 ? NOTHING : redactErrorChunk(data.subarray(0, cut));
  }

  /** Upstream ended: whatever was held, redacted. */
  end(): Buffer {
    const held = this.#held;
    this.#held = undefined;
    return held ? redactErrorChunk(held) : NOTHING;
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The offset just past the last blank line (`\n\n` or `\r\n\r\n`) that ends an event; 0 when there is none. */
function endOfLastEvent(data: Buffer): number {
  const n = data.length;
  if (n >= 2 && data[n - 1] === LF && data[n - 2] === LF) return n;
  const lf = data.lastIndexOf("\n\n");
  const crlf = data.lastIndexOf("\r\n\r\n");
  return Math.max(lf < 0 ? 0 : lf + 2, crlf < 0 ? 0 : crlf + 4);
}
