/** Token usage read from a native Messages answer while it is relayed, for the request log and metrics. */
export interface NativeUsage {
  /** All input tokens, cache reads and writes included (as the translated path and the chat route count them). */
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

const count = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * Reads `usage` out of the relayed bytes without parsing the whole answer: in a stream only the `data:` lines of
 * `message_start` and `message_delta` are parsed (the delta's counts win, they are the final ones); in a JSON
 * answer only the object after the last `"usage"` key is.
 */
export class NativeUsageReader {
  readonly #sse: boolean;
  readonly #decoder = new TextDecoder();
  #carry = "";
  #json = "";
  #input: number | undefined;
  #output: number | undefined;
  #cacheRead: number | undefined;
  #cacheWrite: number | undefined;

  constructor(sse: boolean) {
    this.#sse = sse;
  }

  push(chunk: string | Uint8Array): void {
    const text = typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (!this.#sse) {
      this.#json += text;
      return;
    }
    const lines = (this.#carry + text).split("\n");
    this.#carry = lines.pop() ?? "";
    for (const line of lines) this.#line(line);
  }

  /** The usage seen, or undefined when the answer carried none. */
  finish(): NativeUsage | undefined {
    if (this.#sse) {
      if (this.#carry) this.#line(this.#carry);
    } else {
      const at = this.#json.lastIndexOf('"usage"');
      if (at >= 0) this.#take(firstObject(this.#json.slice(at + 7)));
    }
    if (this.#input === undefined && this.#output === undefined) return undefined;
    const cached = this.#cacheRead ?? 0;
    return {
      inputTokens: (this.#input ?? 0) + cached + (this.#cacheWrite ?? 0),
      outputTokens: this.#output ?? 0,
      cachedTokens: cached,
    };
  }

  #line(line: string): void {
    // Content deltas are the bulk of a stream; only the two event kinds that carry usage are parsed.
    if (!line.startsWith("data:") || !line.includes('"usage"')) return;
    if (!line.includes('"message_start"') && !line.includes('"message_delta"')) return;
    let event: { type?: unknown; usage?: unknown; message?: { usage?: unknown } };
    try {
      event = JSON.parse(line.slice(5));
    } catch {
      return;
    }
    if (event.type === "message_start") this.#take(event.message?.usage);
    else if (event.type === "message_delta") this.#take(event.usage);
  }

  #take(usage: unknown): void {
    if (typeof usage !== "object" || usage === null) return;
    const u = usage as Record<string, unknown>;
    this.#input = count(u.input_tokens) ?? this.#input;
    this.#output = count(u.output_tokens) ?? this.#output;
    this.#cacheRead = count(u.cache_read_input_tokens) ?? this.#cacheRead;
    this.#cacheWrite = count(u.cache_creation_input_tokens) ?? this.#cacheWrite;
  }
}

/** The JSON object at the start of `text` (after `: `), parsed, or undefined. */
function firstObject(text: string): unknown {
  const open = text.indexOf("{");
  if (open < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      try {
        return JSON.parse(text.slice(open, i + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
