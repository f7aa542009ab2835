import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";

/** One answered model request, as the history counts it. */
export interface UsageEvent {
  /** Unix milliseconds; the day is taken in UTC. */
  time: number;
  model: string;
  /** The signed-in login in team mode; absent for the single-user gateway. */
  user?: string | undefined;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  cachedTokens?: number | undefined;
  /** `user` requests are the ones a legacy plan bills as premium requests. */
  initiator?: "user" | "agent" | undefined;
}

/** The counters of one day, one model (and one user in team mode). */
export interface UsageCounters {
  requests: number;
  /** Requests the user started (`X-Initiator: user`): premium requests on legacy plans, times the multiplier. */
  userRequests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

export interface UsageRow extends UsageCounters {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  model: string;
  user?: string | undefined;
}

const count = z.number().int().min(0).catch(0);
const rowSchema = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  model: z.string().min(1),
  user: z.string().optional(),
  requests: count,
  userRequests: count,
  inputTokens: count,
  outputTokens: count,
  cachedTokens: count,
});
const fileSchema = z.object({ version: z.literal(1), rows: z.array(z.unknown()) });

export function usageHistoryPath(homeDir: string): string {
  return join(homeDir, "usage-history.json");
}

export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The `days` days ending today (UTC), oldest first. */
export function lastDays(days: number, now = Date.now()): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(dayOf(now - i * 86_400_000));
  return out;
}

function emptyCounters(): UsageCounters {
  return { requests: 0, userRequests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
}

function add(into: UsageCounters, from: UsageCounters): void {
  into.requests += from.requests;
  into.userRequests += from.userRequests;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.cachedTokens += from.cachedTokens;
}

/** Read the rows of a history file; a missing file is empty, unreadable rows are skipped (it is a tally). */
export function readUsageRows(path: string): UsageRow[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const file = fileSchema.safeParse(json);
  if (!file.success) return [];
  const rows: UsageRow[] = [];
  for (const raw of file.data.rows) {
    const row = rowSchema.safeParse(raw);
    if (row.success) rows.push(row.data);
  }
  return rows;
}

export interface UsageHistoryOptions {
  /** The JSON file in the state directory. */
  path: string;
  /** Days kept; older rows are dropped when written. */
  keepDays?: number;
  /** Writes happen at most this often (the counting itself is in memory). */
  flushIntervalMs?: number;
  now?: () => number;
}

/** A per-day summary across models (and users). */
export interface DayTotal extends UsageCounters {
  day: string;
}

/** A per-model summary over a range of days. */
export interface ModelTotal extends UsageCounters {
  model: string;
}

/**
 * Requests and tokens per day, per model (and per user in team mode), counted in memory and written to the state
 * directory at most every few seconds and on `flush()`. A restart reads the file back.
 */
export class UsageHistory {
  readonly #path: string;
  readonly #keepDays: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #rows = new Map<string, UsageRow>();
  #timer: NodeJS.Timeout | undefined;
  #day: { start: number; day: string } | undefined;
  #dirty = false;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: UsageHistoryOptions) {
    this.#path = options.path;
    this.#keepDays = options.keepDays ?? 90;
    this.#intervalMs = options.flushIntervalMs ?? 5_000;
    this.#now = options.now ?? Date.now;
    for (const row of readUsageRows(this.#path)) this.#rows.set(rowKey(row.day, row.model, row.user), row);
  }

  record(event: UsageEvent): void {
    const day = this.#dayOf(event.time);
    const key = rowKey(day, event.model, event.user);
    let row = this.#rows.get(key);
    if (!row) {
      row = { day, model: event.model, ...(event.user && { user: event.user }), ...emptyCounters() };
      this.#rows.set(key, row);
    }
    row.requests += 1;
    if (event.initiator === "user") row.userRequests += 1;
    row.inputTokens += event.inputTokens ?? 0;
    row.outputTokens += event.outputTokens ?? 0;
    row.cachedTokens += event.cachedTokens ?? 0;
    this.#dirty = true;
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#intervalMs);
      this.#timer.unref();
    }
  }

  /** dayOf, remembered for the current UTC day: one Date and ISO string a day instead of one per request. */
  #dayOf(time: number): string {
    const cached = this.#day;
    if (cached && time >= cached.start && time < cached.start + 86_400_000) return cached.day;
    const start = time - (((time % 86_400_000) + 86_400_000) % 86_400_000);
    this.#day = { start, day: dayOf(start) };
    return this.#day.day;
  }

  /** Rows of the last `days` days (UTC, today included), optionally one user's. */
  rows(days = 30, user?: string): UsageRow[] {
    const from = dayOf(this.#now() - (days - 1) * 86_400_000);
    return [...this.#rows.values()]
      .filter((r) => r.day >= from && (user === undefined || r.user === user))
      .sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model));
  }

  /** Write pending counts now (shutdown); resolves when they are on disk. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#dirty) return this.#writing;
    this.#dirty = false;
    const keepFrom = dayOf(this.#now() - (this.#keepDays - 1) * 86_400_000);
    for (const [key, row] of this.#rows) if (row.day < keepFrom) this.#rows.delete(key);
    const text = `${JSON.stringify({ version: 1, rows: [...this.#rows.values()] })}\n`;
    this.#writing = this.#writing.then(() => writeAtomically(this.#path, text));
    return this.#writing;
  }
}

function rowKey(day: string, model: string, user: string | undefined): string {
  return `${day}\u0000${user ?? ""}\u0000${model}`;
}

/** Totals per day for each of `days` (zero-filled), oldest first. */
export function totalsByDay(rows: readonly UsageRow[], days: readonly string[]): DayTotal[] {
  const byDay = new Map(days.map((day) => [day, { day, ...emptyCounters() }]));
  for (const row of rows) {
    const total = byDay.get(row.day);
    if (total) add(total, row);
  }
  return [...byDay.values()];
}

/** Totals per model, busiest first. */
export function totalsByModel(rows: readonly UsageRow[]): ModelTotal[] {
  const byModel = new Map<string, ModelTotal>();
  for (const row of rows) {
    let total = byModel.get(row.model);
    if (!total) {
      total = { model: row.model, ...emptyCounters() };
      byModel.set(row.model, total);
    }
    add(total, row);
  }
  return [...byModel.values()].sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}

/**
 * Premium requests as a legacy plan bills them: requests the user started times the catalogue's
 * `billing.multiplier`. Undefined when the catalogue gives no multiplier for the model: never a guess.
 */
export function premiumRequests(total: UsageCounters, multiplier: number | undefined): number | undefined {
  return multiplier === undefined ? undefined : total.userRequests * multiplier;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, path);
  } catch {
    // Best effort: a read-only state directory must not fail requests.
  }
}
