import type { HttpResponse } from "../../http/request.js";
import { type LimitSnapshot, limitHeaderKey, listLimits, parseLimitHeaders } from "./limit-snapshot.js";
import { formatDuration } from "./reset-time.js";

/** Warned once per limit when its use passes each of these percentages. */
export const WARNING_THRESHOLDS = [75, 90] as const;

export interface LimitWarning {
  /** `session`, `weekly` or `quota:<id>`. */
  limit: string;
  threshold: (typeof WARNING_THRESHOLDS)[number];
  usedPercent: number;
  resetsAt: string | undefined;
  /** One line for the log and the page. */
  message: string;
}

export interface LimitTrackerOptions {
  /** The last snapshot known (e.g. read from the state directory): its levels are not warned about again. */
  initial?: LimitSnapshot | undefined;
  now?: () => number;
}

type Listener<T> = (value: T) => void;

function usedPercent(percentLeft: number): number {
  return Math.round((100 - percentLeft) * 10) / 10;
}

function highestThreshold(used: number): number {
  let level = 0;
  for (const t of WARNING_THRESHOLDS) if (used >= t) level = t;
  return level;
}

/**
 * The latest limits of one signed-in identity, read from every Copilot answer's headers. Answers whose limit
 * headers have not changed since the last one cost a scan of the header names only. Warns once per limit when its
 * use passes 75% and 90%; a limit that resets (use falls back under a threshold) is warned about again.
 */
export class LimitTracker {
  readonly #now: () => number;
  #key = "";
  #snapshot: LimitSnapshot | undefined;
  readonly #warned = new Map<string, number>();
  readonly #changeListeners = new Set<Listener<LimitSnapshot>>();
  readonly #warningListeners = new Set<Listener<LimitWarning>>();

  constructor(options: LimitTrackerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#snapshot = options.initial;
    if (options.initial)
      for (const { name, reading } of listLimits(options.initial))
        this.#warned.set(name, highestThreshold(usedPercent(reading.percentLeft)));
  }

  /** The latest snapshot, or undefined before any answer carried limit headers. */
  current(): LimitSnapshot | undefined {
    return this.#snapshot;
  }

  /** Read one answer's headers (any status: a 429 carries them too). */
  observe(headers: HttpResponse["headers"]): void {
    const key = limitHeaderKey(headers);
    if (key === "" || key === this.#key) return;
    const snapshot = parseLimitHeaders(headers, new Date(this.#now()));
    if (!snapshot) return;
    this.#key = key;
    this.#snapshot = snapshot;
    const warnings = this.#crossings(snapshot);
    for (const listener of this.#changeListeners) safely(listener, snapshot);
    for (const warning of warnings) for (const listener of this.#warningListeners) safely(listener, warning);
  }

  onChange(listener: Listener<LimitSnapshot>): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  onWarning(listener: Listener<LimitWarning>): () => void {
    this.#warningListeners.add(listener);
    return () => this.#warningListeners.delete(listener);
  }

  #crossings(snapshot: LimitSnapshot): LimitWarning[] {
    const out: LimitWarning[] = [];
    for (const { name, label, reading } of listLimits(snapshot)) {
      const used = usedPercent(reading.percentLeft);
      const level = highestThreshold(used);
      const warned = this.#warned.get(name) ?? 0;
      this.#warned.set(name, level);
      if (level <= warned || level === 0) continue;
      const reset = reading.resetsAt
        ? `; resets in ${formatDuration(Date.parse(reading.resetsAt) - this.#now())}`
        : "";
      out.push({
        limit: name,
        threshold: level as LimitWarning["threshold"],
        usedPercent: used,
        resetsAt: reading.resetsAt,
        message: `Copilot ${label} is ${used}% used (${reading.percentLeft}% left)${reset}.`,
      });
    }
    return out;
  }
}

function safely<T>(listener: Listener<T>, value: T): void {
  try {
    listener(value);
  } catch {
    // A broken subscriber must not break the request that carried the headers.
  }
}
