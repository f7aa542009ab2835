/** 128000 → "128k", 1048576 → "1M", undefined → "-". */
export function compactNumber(value: number | undefined): string {
  if (value === undefined) return "-";
  if (value >= 1_000_000) return `${trim(value / 1_000_000)}M`;
  if (value >= 1000) return `${trim(value / 1000)}k`;
  return String(value);
}

function trim(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

/** Pretty JSON for `--json` output (one document, trailing newline). */
export function jsonOutput(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
