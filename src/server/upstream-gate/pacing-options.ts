import { UsageError } from "../../errors.js";

/** Longest gap accepted: an hour between requests is already more than anyone means. */
export const MAX_RATE_LIMIT_SECONDS = 3600;

export interface PacingInput {
  /** `--rate-limit SECONDS` (else COPILOT_GATEWAY_RATE_LIMIT). */
  rateLimit?: string | undefined;
  /** `--wait` (else COPILOT_GATEWAY_RATE_LIMIT_WAIT). */
  wait?: boolean | undefined;
}

export interface Pacing {
  intervalMs: number;
  wait: boolean;
}

const SECONDS = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

function parseSwitch(name: string, value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === "") return undefined;
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new UsageError(`Invalid ${name} "${value}": use 1 or 0 (true/false).`, "invalid_rate_limit_wait");
}

/**
 * `serve --rate-limit SECONDS [--wait]` and their variables, validated: a positive number of seconds (decimals
 * allowed) up to an hour. Undefined when no rate limit is asked for; `--wait` alone is a usage error.
 */
export function resolvePacing(input: PacingInput, env: NodeJS.ProcessEnv = process.env): Pacing | undefined {
  const fromFlag = input.rateLimit !== undefined;
  const raw = input.rateLimit ?? env.COPILOT_GATEWAY_RATE_LIMIT;
  const wait =
    input.wait === true ||
    parseSwitch("COPILOT_GATEWAY_RATE_LIMIT_WAIT", env.COPILOT_GATEWAY_RATE_LIMIT_WAIT) === true;
  if (raw === undefined || (!fromFlag && raw.trim() === "")) {
    if (input.wait)
      throw new UsageError(
        "--wait needs --rate-limit SECONDS: it queues requests for their slot instead of answering 429.",
        "wait_without_rate_limit",
      );
    return undefined;
  }
  const text = raw.trim();
  const seconds = Number(text);
  const where = fromFlag ? "--rate-limit" : "COPILOT_GATEWAY_RATE_LIMIT";
  if (!SECONDS.test(text) || !(seconds > 0) || seconds > MAX_RATE_LIMIT_SECONDS)
    throw new UsageError(
      `Invalid ${where} "${raw}": use a number of seconds greater than 0 and at most ${MAX_RATE_LIMIT_SECONDS}, e.g. 2 or 0.5.`,
      "invalid_rate_limit",
    );
  return { intervalMs: seconds * 1000, wait };
}
