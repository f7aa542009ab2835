import { createParser, type EventSourceParser } from "eventsource-parser";
import { redactSecrets } from "../../util/redact.js";

export interface ChatStreamOptions {
  /** The client asked for `stream_options.include_usage`: keep the usage-only chunk. */
  includeUsage: boolean;
  /** The client asked for several choices (`n` > 1): keep choice indexes as they are. */
  multipleChoices: boolean;
}

export interface StreamUsage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cachedTokens?: number | undefined;
}

interface ToolCallDelta {
  index?: number;
  id?: string;
  [key: string]: unknown;
}

interface ChunkChoice {
  index?: number;
  delta?: { tool_calls?: ToolCallDelta[]; [key: string]: unknown };
  [key: string]: unknown;
}

interface Chunk {
  choices?: ChunkChoice[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number } | null;
  } | null;
  [key: string]: unknown;
}

// Cheap textual probes decide which events need a parse; ordinary content deltas are forwarded verbatim.
const EMPTY_CHOICES = /"choices":\s*\[\s*\]/;
const USAGE_OBJECT = /"usage":\s*\{/;
const NONZERO_CHOICE_INDEX = /"index":\s*[1-9]/;

const NEWLINE = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BRACKET = 0x5b;
const EMPTY = Buffer.alloc(0);
const DATA_PREFIX = Buffer.from("data: ");
const EVENT_END = Buffer.from("\n\n");
// Keys, each with the quote and colon that close it, as they appear in compact JSON.
const CHOICES_KEY = Buffer.from('choices":');
const USAGE_KEY = Buffer.from('usage":');
const TOOL_CALLS_KEY = Buffer.from('tool_calls"');
const INDEX_KEY = Buffer.from('index":');
const ERROR_KEY = Buffer.from('error":');

function bytesAt(buf: Buffer, at: number, expected: Buffer): boolean {
  if (at + expected.length > buf.length) return false;
  for (let i = 0; i < expected.length; i++) if (buf[at + i] !== expected[i]) return false;
  return true;
}

/**
 * Turns Copilot's chat stream into what OpenAI clients expect, chunk by chunk:
 * - drops the empty-choices prompt-filter chunk (and any other chunk with no choices and no usage);
 * - keeps the usage-only chunk only when the client asked for usage;
 * - folds Claude's extra choices into choice 0 when the client asked for one choice;
 * - gives each tool call its own index (Claude reuses index 0 for a second call with a new id);
 * - ends with `data: [DONE]` even when upstream did not send it.
 * It works on bytes: an event that needs no change is passed on as a slice of the upstream chunk (a chunk of
 * such events as the very same Buffer), and only the events that change are decoded and re-serialised. Anything
 * unusual (CRLF line ends, `event:` fields, comments, multi-line data) goes through a full SSE parser instead.
 */
export class ChatStreamNormalizer {
  readonly #options: ChatStreamOptions;
  readonly #parser: EventSourceParser;
  readonly #decoder = new TextDecoder();
  /** Tool-call index remapping: `choice:upstreamIndex` → index given to the client. */
  readonly #toolIndex = new Map<string, number>();
  readonly #toolIds = new Map<string, string>();
  /** Next free tool-call index per (client-visible) choice. */
  readonly #nextToolIndex = new Map<number, number>();
  #out = "";
  #done = false;
  /** Bytes of an event whose end has not arrived yet (pieces, joined once a line end arrives). */
  #pending: Buffer[] | undefined;
  /** A CR was seen: SSE line ends are no longer plain `\n`, so every byte goes through the parser. */
  #textMode = false;
  readonly usage: StreamUsage = { inputTokens: undefined, outputTokens: undefined };

  constructor(options: ChatStreamOptions) {
    this.#options = options;
    this.#parser = createParser({ onEvent: (event) => this.#onData(event.data) });
  }

  /** Feed upstream bytes; returns what to write to the client now (possibly empty). */
  push(chunk: Buffer): Buffer {
    if (this.#done) return EMPTY;
    if (this.#textMode) return this.#feedText(chunk);
    const length = chunk.length;
    // The common case: whole events, none needing a change.
    if (
      !this.#pending &&
      length >= 2 &&
      chunk[length - 1] === NEWLINE &&
      chunk[length - 2] === NEWLINE &&
      this.#passesUnchanged(chunk, 0, length)
    )
      return chunk;
    if (chunk.includes(CR)) {
      this.#textMode = true;
      for (const piece of this.#pending ?? [])
        this.#parser.feed(this.#decoder.decode(piece, { stream: true }));
      this.#pending = undefined;
      return this.#feedText(chunk);
    }
    if (this.#pending && !chunk.includes(NEWLINE)) {
      // Still inside one long event: keep the piece, join once it can end.
      this.#pending.push(chunk);
      return EMPTY;
    }
    const buf = this.#pending ? Buffer.concat([...this.#pending, chunk]) : chunk;
    this.#pending = undefined;
    const pieces: Buffer[] = [];
    let keptFrom = -1;
    let start = 0;
    for (let end = buf.indexOf(EVENT_END, start); end >= 0; end = buf.indexOf(EVENT_END, start)) {
      const next = end + 2;
      const simple = bytesAt(buf, start, DATA_PREFIX) && buf.indexOf(NEWLINE, start) === end;
      if (simple && !this.#done && this.#passesUnchanged(buf, start + DATA_PREFIX.length, end)) {
        if (keptFrom < 0) keptFrom = start;
      } else {
        if (keptFrom >= 0) pieces.push(buf.subarray(keptFrom, start));
        keptFrom = -1;
        if (simple) this.#onData(buf.toString("utf8", start + DATA_PREFIX.length, end));
        else this.#parser.feed(buf.toString("utf8", start, next));
        if (this.#out) pieces.push(this.#takeOut());
      }
      start = next;
    }
    if (keptFrom >= 0) pieces.push(buf.subarray(keptFrom, start));
    if (start < buf.length) this.#pending = [buf.subarray(start)];
    if (pieces.length === 1) return pieces[0] ?? EMPTY;
    return pieces.length === 0 ? EMPTY : Buffer.concat(pieces);
  }

  #feedText(chunk: Buffer): Buffer {
    this.#parser.feed(this.#decoder.decode(chunk, { stream: true }));
    return this.#takeOut();
  }

  #takeOut(): Buffer {
    const out = this.#out;
    this.#out = "";
    return out ? Buffer.from(out) : EMPTY;
  }

  /**
   * True when the bytes (event data, compact JSON) hold nothing the normaliser may act on: no empty or spaced
   * `choices`, no `usage` other than null, no `tool_calls`, no `error`, no `[DONE]`, no CR, and (one choice asked for) no choice or
   * tool-call index other than 0. One pass over the bytes; a quote inside a JSON string is escaped, so a key
   * pattern cannot match inside content.
   */
  #passesUnchanged(buf: Buffer, from: number, to: number): boolean {
    const checkIndex = !this.#options.multipleChoices;
    for (let i = from; i < to; i++) {
      const byte = buf[i];
      if (byte === QUOTE) {
        const key = buf[i + 1];
        if (key === 0x63 /* c */ && bytesAt(buf, i + 1, CHOICES_KEY)) {
          const at = i + 1 + CHOICES_KEY.length;
          if (buf[at] !== BRACKET || buf[at + 1] === 0x5d /* ] */) return false;
        } else if (key === 0x75 /* u */ && bytesAt(buf, i + 1, USAGE_KEY)) {
          if (buf[i + 1 + USAGE_KEY.length] !== 0x6e /* n(ull) */) return false;
        } else if (key === 0x74 /* t */ && bytesAt(buf, i + 1, TOOL_CALLS_KEY)) {
          return false;
        } else if (key === 0x65 /* e */ && bytesAt(buf, i + 1, ERROR_KEY)) {
          return false; // an error's text is redacted before it leaves
        } else if (checkIndex && key === 0x69 /* i */ && bytesAt(buf, i + 1, INDEX_KEY)) {
          if (buf[i + 1 + INDEX_KEY.length] !== 0x30 /* 0 */) return false;
        }
      } else if ((byte === BRACKET && buf[i + 1] === 0x44) /* [D(ONE) */ || byte === CR) {
        return false;
      }
    }
    return true;
  }

  /** Upstream ended: flush what is left and make sure the client sees `[DONE]`. */
  end(): string {
    for (const piece of this.#pending ?? []) this.#parser.feed(this.#decoder.decode(piece, { stream: true }));
    this.#pending = undefined;
    const rest = this.#decoder.decode();
    if (rest) this.#parser.feed(rest);
    this.#parser.reset({ consume: true });
    if (!this.#done) this.#out += "data: [DONE]\n\n";
    this.#done = true;
    const out = this.#out;
    this.#out = "";
    return out;
  }

  get sawDone(): boolean {
    return this.#done;
  }

  #onData(data: string): void {
    if (this.#done) return;
    if (data === "[DONE]") {
      this.#done = true;
      this.#out += "data: [DONE]\n\n";
      return;
    }
    const emptyChoices = EMPTY_CHOICES.test(data);
    const hasUsage = USAGE_OBJECT.test(data);
    const hasTools = data.includes('"tool_calls"');
    const foldChoices = !this.#options.multipleChoices && NONZERO_CHOICE_INDEX.test(data);
    if (!emptyChoices && !hasUsage && !hasTools && !foldChoices && !data.includes('"error"')) {
      this.#out += `data: ${data}\n\n`;
      return;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch {
      this.#out += `data: ${data}\n\n`;
      return;
    }
    if (chunk.usage && typeof chunk.usage === "object") {
      this.usage.inputTokens = chunk.usage.prompt_tokens ?? this.usage.inputTokens;
      this.usage.outputTokens = chunk.usage.completion_tokens ?? this.usage.outputTokens;
      this.usage.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? this.usage.cachedTokens;
    }
    const choices = Array.isArray(chunk.choices) ? chunk.choices : undefined;
    if (!choices || choices.length === 0) {
      // An error object mid-stream is for the client (its SDK raises it); the rest carries nothing for it.
      // Upstream error text may echo a header: it leaves the process redacted like every other message.
      if (chunk.error !== undefined) this.#out += `data: ${redactSecrets(data)}\n\n`;
      else if (chunk.usage && this.#options.includeUsage) this.#out += `data: ${data}\n\n`;
      return;
    }
    let changed = false;
    for (const choice of choices) {
      const choiceIndex = choice.index ?? 0;
      if (!this.#options.multipleChoices && choiceIndex !== 0) {
        choice.index = 0;
        changed = true;
      }
      const calls = choice.delta?.tool_calls;
      if (Array.isArray(calls))
        for (const call of calls) changed = this.#remapToolCall(choiceIndex, call) || changed;
    }
    this.#out += changed ? `data: ${JSON.stringify(chunk)}\n\n` : `data: ${data}\n\n`;
  }

  /** Give each distinct tool call (by id) its own index, in order of appearance. Returns true when changed. */
  #remapToolCall(choiceIndex: number, call: ToolCallDelta): boolean {
    const choice = this.#options.multipleChoices ? choiceIndex : 0;
    const key = `${choice}:${call.index ?? 0}`;
    let target = this.#toolIndex.get(key);
    const isNewCall = call.id !== undefined && this.#toolIds.get(key) !== call.id;
    if (isNewCall || target === undefined) {
      target = this.#nextToolIndex.get(choice) ?? 0;
      this.#nextToolIndex.set(choice, target + 1);
      this.#toolIndex.set(key, target);
      if (call.id !== undefined) this.#toolIds.set(key, call.id);
    }
    if (call.index === target) return false;
    call.index = target;
    return true;
  }
}
