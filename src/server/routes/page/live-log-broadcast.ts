import type { ServerResponse } from "node:http";
import type { LimitSnapshot } from "../../../copilot/limits/limit-snapshot.js";
import type { LimitWarning } from "../../../copilot/limits/limit-tracker.js";
import type { PageBackend } from "../../../web/page-backend.js";
import type { RequestLogView } from "../../../web/page-types.js";
import { formatSseEvent, SSE_KEEPALIVE } from "../../../web/sse.js";

/** Bounds that keep open page tabs from costing the gateway memory or throughput (README, "Safe by default"). */
export const LIVE_LOG_LIMITS = {
  /**
   * Open live-log streams at once; one more is a 503. A tab costs one write per tick, not one per request, so
   * 100 tabs (the number the issue names) fit with room; the bound is on memory: 128 × maxBufferedBytes = 32 MB.
   */
  maxSubscribers: 128,
  /** Bytes a subscriber may have waiting unsent before it is dropped (its browser reconnects with a fresh snapshot). */
  maxBufferedBytes: 256 * 1024,
  /** Rows in the snapshot a new stream starts with. */
  snapshotEntries: 50,
  /** Rows are gathered and sent to every tab together once per tick. */
  tickMs: 250,
  /** Rows sent per tick at most (200 a second); under heavier load the newest are sent and the rest counted. */
  rowsPerTick: 50,
  /** A comment line this often keeps idle streams (and proxies in between) open. */
  keepaliveMs: 15_000,
} as const;

export type LiveLogLimits = typeof LIVE_LOG_LIMITS;

/**
 * Fans the live log out to every open page tab. A finished request costs one array push whatever the number of
 * tabs; once per tick the rows since the last tick are serialised once into one buffer that every tab is sent.
 * Nothing listens to the log while no tab is open.
 */
export class LiveLogBroadcast {
  readonly #backend: PageBackend;
  readonly #limits: LiveLogLimits;
  readonly #subscribers = new Set<ServerResponse>();
  /** The newest rows since the last tick, at most rowsPerTick. */
  #rows: RequestLogView[] = [];
  /** Every row added since the last tick, including ones beyond the cap. */
  #added = 0;
  #limitSnapshot: LimitSnapshot | undefined;
  #warnings: LimitWarning[] = [];
  #tick: NodeJS.Timeout | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #stopListening: (() => void) | undefined;

  constructor(backend: PageBackend, limits: LiveLogLimits = LIVE_LOG_LIMITS) {
    this.#backend = backend;
    this.#limits = limits;
  }

  get full(): boolean {
    return this.#subscribers.size >= this.#limits.maxSubscribers;
  }

  /** Start a tab's stream: the snapshot and current limits now, then every tick's batch. */
  join(res: ServerResponse): void {
    if (this.#subscribers.size === 0) this.#listen();
    const recent = this.#backend.requestLog.recent();
    // Rows added since the last tick reach this tab in the next batch, so the snapshot stops before them.
    const upTo = Math.max(0, recent.length - this.#added);
    const entries = recent.slice(Math.max(0, upTo - this.#limits.snapshotEntries), upTo);
    let head = formatSseEvent("snapshot", { entries });
    const limits = this.#backend.limits?.();
    if (limits) head += formatSseEvent("limits", limits);
    res.write(head);
    this.#subscribers.add(res);
    res.on("close", () => this.leave(res));
  }

  leave(res: ServerResponse): void {
    if (!this.#subscribers.delete(res)) return;
    if (!res.writableEnded) res.end();
    if (this.#subscribers.size === 0) this.#quiet();
  }

  /** End every stream (the gateway is closing). */
  closeAll(): void {
    for (const res of [...this.#subscribers]) this.leave(res);
  }

  #listen(): void {
    const stopRows = this.#backend.requestLog.subscribe((row) => {
      this.#added++;
      this.#rows.push(row);
      if (this.#rows.length > this.#limits.rowsPerTick) this.#rows.shift();
      this.#schedule();
    });
    const stopLimits = this.#backend.onLimits?.((event) => {
      if (event.kind === "snapshot") this.#limitSnapshot = event.snapshot;
      else if (this.#warnings.length < 10) this.#warnings.push(event.warning);
      this.#schedule();
    });
    this.#stopListening = () => {
      stopRows();
      stopLimits?.();
    };
    this.#keepalive = setInterval(() => this.#send(Buffer.from(SSE_KEEPALIVE)), this.#limits.keepaliveMs);
    this.#keepalive.unref();
  }

  /** No tab is open: stop listening and forget what was pending. */
  #quiet(): void {
    this.#stopListening?.();
    this.#stopListening = undefined;
    clearInterval(this.#keepalive);
    clearTimeout(this.#tick);
    this.#tick = undefined;
    this.#rows = [];
    this.#added = 0;
    this.#limitSnapshot = undefined;
    this.#warnings = [];
  }

  #schedule(): void {
    if (this.#tick) return;
    this.#tick = setTimeout(() => this.#flush(), this.#limits.tickMs);
    this.#tick.unref();
  }

  #flush(): void {
    this.#tick = undefined;
    let batch = "";
    const skipped = this.#added - this.#rows.length;
    if (skipped > 0) batch += formatSseEvent("skipped", { rows: skipped });
    for (const row of this.#rows) batch += formatSseEvent("request", row);
    if (this.#limitSnapshot) batch += formatSseEvent("limits", this.#limitSnapshot);
    for (const warning of this.#warnings) batch += formatSseEvent("limit-warning", warning);
    this.#rows = [];
    this.#added = 0;
    this.#limitSnapshot = undefined;
    this.#warnings = [];
    if (batch) this.#send(Buffer.from(batch));
  }

  /** One buffer for every tab: sockets hold a reference to it, not a copy. */
  #send(chunk: Buffer): void {
    for (const res of this.#subscribers) {
      // A tab that does not read (hidden, frozen, hostile) is dropped rather than buffered without bound.
      if (res.writableLength > this.#limits.maxBufferedBytes) {
        this.leave(res);
        res.destroy();
      } else res.write(chunk);
    }
  }
}
