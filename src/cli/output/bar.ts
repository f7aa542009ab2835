import type { Style } from "./style.js";

/** A fixed-width gauge for a 0–1 fraction: block characters in colour, `#` and `.` when plain. */
export function renderBar(fraction: number, style: Style, width = 20): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  if (!style.enabled) return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  const paint = f >= 0.9 ? style.red : f >= 0.75 ? style.yellow : style.green;
  return `${paint("█".repeat(filled))}${style.dim("░".repeat(width - filled))}`;
}
