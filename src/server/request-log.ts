/** One finished request, as the log line and the web page's live log show it. Never holds a secret. */
export interface RequestLogEntry {
  /** Sequence number, increasing for the life of the server. */
  id: number;
  /** Unix milliseconds when the request arrived. */
  time: number;
  method: string;
  path: string;
  /** The route pattern matched (`/v1/chat/completions`), undefined when none did: a bounded metrics label. */
  route: string | undefined;
  model: string | undefined;
  status: number;
  durationMs: number;
  /** Milliseconds until the answer's head was sent (for streams: when streaming began). */
  firstByteMs: number | undefined;
  stream: boolean;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** Input tokens served from the prompt cache (included in inputTokens). */
  cachedTokens: number | undefined;
  /** `user` requests are the ones a legacy plan bills as premium requests. */
  initiator: "user" | "agent" | undefined;
  /** Copilot's HTTP status, when the request reached it. */
  upstreamStatus: number | undefined;
  /** Copilot's request id, for tracing a request upstream (not a secret). */
  upstreamRequestId: string | undefined;
  /** Our error code when the request failed (e.g. `rate_limited`), for the page. */
  error: string | undefined;
  /** Set when the client went away before the answer was complete. */
  aborted: boolean;
  /** Which replica served it, when several share one live log through Redis (absent: this one). */
  replica?: string | undefined;
  /** Team gateway: the person whose personal key made the request (a login, never the key). */
  login?: string | undefined;
}

/** A model request Copilot answered: what usage history and the per-person counters count. */
export function countsAsUsage(entry: RequestLogEntry): entry is RequestLogEntry & { model: string } {
  return entry.model !== undefined && entry.status < 400 && entry.upstreamStatus !== undefined;
}

export type RequestLogListener = (entry: RequestLogEntry) => void;

/** The last N requests in a ring buffer, plus subscribers told of each new one (the page's live log). */
export class RequestLog {
  readonly #capacity: number;
  readonly #entries: RequestLogEntry[] = [];
  readonly #listeners = new Set<RequestLogListener>();
  #next = 0;
  #nextId = 1;

  constructor(capacity = 200) {
    this.#capacity = capacity;
  }

  nextId(): number {
    return this.#nextId++;
  }

  add(entry: RequestLogEntry): void {
    if (this.#entries.length < this.#capacity) this.#entries.push(entry);
    else this.#entries[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#capacity;
    for (const listener of this.#listeners) {
      try {
        listener(entry);
      } catch {
        // A broken subscriber must not break request handling.
      }
    }
  }

  /** Oldest first. */
  recent(): RequestLogEntry[] {
    if (this.#entries.length < this.#capacity) return [...this.#entries];
    return [...this.#entries.slice(this.#next), ...this.#entries.slice(0, this.#next)];
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: RequestLogListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
