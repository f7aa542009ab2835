import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { LimitSnapshot } from "./limit-snapshot.js";

/**
 * Where one identity's last limits are kept: `<home>/limits/<host>-<hash>.json`. The hash of the credential's
 * identity (a secret such as the token) names it without a login we may not know; it cannot be turned back.
 */
export function limitFilePath(homeDir: string, host: string, identity: string): string {
  const id = createHash("sha256").update(identity).digest("hex").slice(0, 16);
  return join(homeDir, "limits", `${host.toLowerCase().replace(/[^a-z0-9.-]/g, "_")}-${id}.json`);
}

const readingSchema = z.object({
  percentLeft: z.number().min(0).max(100),
  resetsAt: z.string().optional(),
  entitlement: z.number().optional(),
  overageUsed: z.number().optional(),
  overagePermitted: z.boolean().optional(),
});

const snapshotSchema = z.object({
  observedAt: z.string(),
  session: readingSchema.optional(),
  weekly: readingSchema.optional(),
  quotas: z.record(z.string(), readingSchema).default({}),
});

const normalize = (r: z.infer<typeof readingSchema> | undefined) =>
  r && {
    percentLeft: r.percentLeft,
    resetsAt: r.resetsAt,
    entitlement: r.entitlement,
    overageUsed: r.overageUsed,
    overagePermitted: r.overagePermitted,
  };

/** The persisted snapshot, or undefined when there is none or it does not parse (it is only a cache). */
export function readLimitFile(path: string): LimitSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const quotas: LimitSnapshot["quotas"] = {};
  for (const [id, r] of Object.entries(parsed.data.quotas)) {
    const reading = normalize(r);
    if (reading) quotas[id] = reading;
  }
  return {
    observedAt: parsed.data.observedAt,
    session: normalize(parsed.data.session),
    weekly: normalize(parsed.data.weekly),
    quotas,
  };
}

/**
 * Writes snapshots to `path` atomically, at most once per `intervalMs` (the last one always lands): the hot path
 * never waits on the disk. `flush()` writes what is pending now (on shutdown).
 */
export class LimitFileWriter {
  readonly #path: string;
  readonly #intervalMs: number;
  #pending: LimitSnapshot | undefined;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #lastWrite = 0;

  constructor(path: string, intervalMs = 2_000) {
    this.#path = path;
    this.#intervalMs = intervalMs;
  }

  write(snapshot: LimitSnapshot): void {
    this.#pending = snapshot;
    if (this.#timer) return;
    // The first change is written at once (a one-shot CLI call exits soon); later ones at most once per interval.
    const wait = this.#lastWrite + this.#intervalMs - Date.now();
    if (wait <= 0) {
      void this.flush();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, wait);
    this.#timer.unref();
  }

  /** Write what is pending now; resolves when it is on disk (errors are swallowed: this is a cache). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const snapshot = this.#pending;
    this.#pending = undefined;
    if (snapshot) {
      this.#lastWrite = Date.now();
      this.#writing = this.#writing.then(() => writeAtomically(this.#path, snapshot));
    }
    return this.#writing;
  }
}

async function writeAtomically(path: string, snapshot: LimitSnapshot): Promise<void> {
  const dir = join(path, "..");
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(temp, `${JSON.stringify(snapshot, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, path);
  } catch {
    // Best effort: a read-only state directory must not fail requests.
  }
}
