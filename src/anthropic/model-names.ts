import { readFileSync } from "node:fs";
import { z } from "zod";
import { EXIT_CODES, GatewayError, UsageError } from "../errors.js";

/** User aliases from `--model-map FROM=TO` or a map file. A `*` in FROM matches any run of characters. */
export type ModelMap = Readonly<Record<string, string>>;

/** The requested model is not on this seat; the message names it and lists the Claude models that are. */
export class ModelNotFoundError extends GatewayError {
  readonly requested: string;
  constructor(requested: string, message: string) {
    super("model_not_found", message, { exitCode: EXIT_CODES.usage, status: 404 });
    this.requested = requested;
  }
}

/**
 * A comparable form of a model id: lower case, no provider prefix or date/version suffix, `-latest` gone, and
 * version digits joined with dots, so `claude-sonnet-4-5-20250929`, `claude-sonnet-4-5@20250929`,
 * `anthropic.claude-sonnet-4-5-20250929-v1:0` and `claude-sonnet-4.5` all meet at `claude-sonnet-4.5`.
 */
export function normalizeModelId(id: string): string {
  let s = id.trim().toLowerCase();
  s = s.replace(/^(?:[a-z]{2,4}\.)?anthropic\./, "");
  s = s.replace(/-v\d+(?::\d+)?$/, "");
  s = s.replace(/@\d{8}$/, "");
  s = s.replace(/-\d{8}$/, "");
  s = s.replace(/-latest$/, "");
  // `4-5` → `4.5`; single digits only, so a date or a long number is never split.
  let previous: string;
  do {
    previous = s;
    s = s.replace(/(^|[^\d])(\d)-(\d)(?!\d)/, "$1$2.$3");
  } while (s !== previous);
  return s;
}

/** Without dots: Copilot has spelt versions both ways (`claude-opus-4.1` and `claude-opus-41`). */
function compactModelId(id: string): string {
  return normalizeModelId(id).replaceAll(".", "");
}

const FAMILIES = ["opus", "sonnet", "haiku"] as const;

/** `claude-sonnet`, `sonnet`, `claude-sonnet-latest`: a family with no version asks for its newest model. */
function familyOnly(normalized: string): (typeof FAMILIES)[number] | undefined {
  const match = /^(?:claude-)?(opus|sonnet|haiku)$/.exec(normalized);
  return match?.[1] as (typeof FAMILIES)[number] | undefined;
}

function versionOf(id: string): number[] {
  const match = /(\d+(?:\.\d+)*)/.exec(normalizeModelId(id).replace(/^claude-/, ""));
  return match?.[1] ? match[1].split(".").map(Number) : [];
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function newestOfFamily(family: string, catalogue: readonly string[]): string | undefined {
  const members = catalogue.filter(
    (id) => id.toLowerCase().startsWith("claude") && id.toLowerCase().includes(family),
  );
  return members.sort((a, b) => compareVersions(versionOf(b), versionOf(a)) || a.length - b.length)[0];
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .toLowerCase()
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${escaped}$`);
}

function lookupMap(requested: string, map: ModelMap): string | undefined {
  const lower = requested.trim().toLowerCase();
  const normalized = normalizeModelId(requested);
  const entries = Object.entries(map);
  for (const [from, to] of entries) if (!from.includes("*") && from.toLowerCase() === lower) return to;
  for (const [from, to] of entries)
    if (!from.includes("*") && normalizeModelId(from) === normalized) return to;
  for (const [from, to] of entries) if (from.includes("*") && globToRegExp(from).test(lower)) return to;
  return undefined;
}

/** Resolution against the catalogue alone, or undefined. */
function matchCatalogue(requested: string, catalogue: readonly string[]): string | undefined {
  const exact = catalogue.find((id) => id === requested);
  if (exact) return exact;
  const lower = requested.trim().toLowerCase();
  const caseless = catalogue.find((id) => id.toLowerCase() === lower);
  if (caseless) return caseless;
  const normalized = normalizeModelId(requested);
  const byNormal = catalogue.find((id) => normalizeModelId(id) === normalized);
  if (byNormal) return byNormal;
  const compact = compactModelId(requested);
  const byCompact = catalogue.find((id) => compactModelId(id) === compact);
  if (byCompact) return byCompact;
  const family = familyOnly(normalized);
  return family ? newestOfFamily(family, catalogue) : undefined;
}

function claudeModels(catalogue: readonly string[]): string[] {
  return [...new Set(catalogue.filter((id) => id.toLowerCase().includes("claude")))].sort();
}

/**
 * An Anthropic model id → a Copilot catalogue id: the user's map first, then exact, then the normalised forms
 * (dated ids, `-latest`, hyphen/dot versions, provider prefixes), then a bare family (`sonnet`) as its newest.
 */
export function resolveAnthropicModel(
  requested: string,
  catalogue: readonly string[],
  map: ModelMap = {},
): string {
  const mapped = lookupMap(requested, map);
  if (mapped !== undefined) {
    const target = matchCatalogue(mapped, catalogue);
    if (target) return target;
    throw new ModelNotFoundError(
      requested,
      `Model "${requested}" is mapped to "${mapped}", which is not available on this Copilot seat. ${availability(catalogue)}`,
    );
  }
  const found = matchCatalogue(requested, catalogue);
  if (found) return found;
  throw new ModelNotFoundError(
    requested,
    `Model "${requested}" is not available on this Copilot seat. ${availability(catalogue)} Add an alias with --model-map ${requested}=<model>.`,
  );
}

function availability(catalogue: readonly string[]): string {
  const claude = claudeModels(catalogue);
  return claude.length > 0
    ? `Claude models available: ${claude.join(", ")}.`
    : "No Claude model is available on this seat; see `copilot-gateway models`.";
}

/** `["FROM=TO", …]` (repeatable `--model-map`) → a map; a malformed entry is a usage error naming it. */
export function parseModelMapEntries(entries: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf("=");
    const from = entry.slice(0, at).trim();
    const to = entry.slice(at + 1).trim();
    if (at <= 0 || from === "" || to === "")
      throw new UsageError(
        `Invalid --model-map "${entry}"; write it as FROM=TO, e.g. claude-haiku-4-5=gpt-5-mini.`,
        "invalid_model_map",
      );
    map[from] = to;
  }
  return map;
}

const modelMapFileSchema = z.record(z.string().min(1), z.string().min(1));

/** A JSON file `{"FROM": "TO", …}` of aliases (read once at startup, hence synchronously). */
export function readModelMapFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read the model map file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"}); check the path.`,
      "invalid_model_map",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(
      `The model map file ${path} is not valid JSON; write {"FROM": "TO", …}.`,
      "invalid_model_map",
    );
  }
  const parsed = modelMapFileSchema.safeParse(json);
  if (!parsed.success)
    throw new UsageError(
      `The model map file ${path} must be a JSON object of model names to model names.`,
      "invalid_model_map",
    );
  return parsed.data;
}
