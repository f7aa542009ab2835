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
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  [key: string]: unknown;
}

// Cheap textual probes decide which chunks need a parse; ordinary content deltas are forwarded verbatim.
const EMPTY_CHOICES = /"choices":\s*\[\s*\]/;
const USAGE_OBJECT = /"usage":\s*\{/;
const NONZERO_CHOICE_INDEX = /"index":\s*[1-9]/;

/**
 * Byte markers of anything the normaliser may have to act on. An upstream chunk that holds whole events and none
 * of these is written to the client as the very same Buffer: no decoding, no parsing, no copy.
 */
const SLOW_PATH_MARKERS = [
  '"choices":[]',
  '"usage":{',
  '"tool_calls"',
  "[DONE]",
  "\r",
  '"choices": ',
  '"usage": ',
].map((marker) => Buffer.from(marker));
const INDEX_MARKER = Buffer.from('"index":');
const NEWLINE = 0x0a;
const DIGIT_ZERO = 0x30;

/**
 * Turns Copilot's chat stream into what OpenAI clients expect, chunk by chunk:
 * - drops the empty-choices prompt-filter chunk (and any other chunk with no choices and no usage);
 * - keeps the usage-only chunk only when the client asked for usage;
 * - folds Claude's extra choices into choice 0 when the client asked for one choice;
 * - gives each tool call its own index (Claude reuses index 0 for a second call with a new id);
 * - ends with `data: [DONE]` even when upstream did not send it.
 * Only chunks that change are re-serialised; every other event is passed on as its original text.
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
  /** The parser holds part of an event (the last chunk did not end on a blank line). */
  #midEvent = false;
  readonly usage: StreamUsage = { inputTokens: undefined, outputTokens: undefined };

  constructor(options: ChatStreamOptions) {
    this.#options = options;
    this.#parser = createParser({ onEvent: (event) => this.#onData(event.data) });
  }

  /** Feed upstream bytes; returns what to write to the client now (possibly empty). */
  push(chunk: Buffer): string | Buffer {
    if (this.#passesUnchanged(chunk)) return chunk;
    this.#parser.feed(this.#decoder.decode(chunk, { stream: true }));
    this.#midEvent = !(chunk.at(-1) === NEWLINE && chunk.at(-2) === NEWLINE);
    const out = this.#out;
    this.#out = "";
    return out;
  }

  /** Whole events only, none of them needing a change: the common case of a content delta. */
  #passesUnchanged(chunk: Buffer): boolean {
    if (this.#midEvent || this.#done || chunk.length < 2) return false;
    if (chunk[chunk.length - 1] !== NEWLINE || chunk[chunk.length - 2] !== NEWLINE) return false;
    for (const marker of SLOW_PATH_MARKERS) if (chunk.includes(marker)) return false;
    if (!this.#options.multipleChoices) {
      // A choice (or tool call) index other than 0 may need folding or remapping.
      for (let at = chunk.indexOf(INDEX_MARKER); at >= 0; at = chunk.indexOf(INDEX_MARKER, at + 1)) {
        const digit = chunk[at + INDEX_MARKER.length];
        if (digit !== DIGIT_ZERO) return false;
      }
    }
    return true;
  }

  /** Upstream ended: flush what is left and make sure the client sees `[DONE]`. */
  end(): string {
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
