import type { UsageEvent } from "../records.js";

/**
 * Usage events added up in memory for a moment and written together: a busy replica then writes each person's
 * counters a few times a second instead of once per request. Events for the same person, key, model and day
 * become one write (counters summed, the latest time kept). `add` resolves once its event is stored (or rejects
 * with the write's error), so callers still learn of a failed write.
 */
export class UsageBatch {
  readonly #write: (event: UsageEvent) => Promise<void>;
  readonly #delayMs: number;
  #groups = new Map<string, UsageEvent>();
  #waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(write: (event: UsageEvent) => Promise<void>, delayMs: number) {
    this.#write = write;
    this.#delayMs = delayMs;
  }

  add(event: UsageEvent): Promise<void> {
    const group = `${event.login.toLowerCase()}\t${event.keyId ?? ""}\t${event.model}\t${event.day}`;
    const seen = this.#groups.get(group);
    this.#groups.set(
      group,
      seen
        ? {
            ...seen,
            requests: seen.requests + event.requests,
            inputTokens: seen.inputTokens + event.inputTokens,
            outputTokens: seen.outputTokens + event.outputTokens,
            cachedTokens: seen.cachedTokens + event.cachedTokens,
            at: Math.max(seen.at, event.at),
          }
        : { ...event },
    );
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#delayMs);
      this.#timer.unref();
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Write what is waiting now: before a read that must see it, and at shutdown. Resolves when written. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const groups = [...this.#groups.values()];
    const waiting = this.#waiting;
    this.#groups = new Map();
    this.#waiting = [];
    if (groups.length === 0) return this.#writing;
    const run = Promise.all(groups.map((event) => this.#write(event))).then(
      () => {
        for (const w of waiting) w.resolve();
      },
      (error: unknown) => {
        for (const w of waiting) w.reject(error);
      },
    );
    this.#writing = run;
    return run;
  }
}
