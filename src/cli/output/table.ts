import { type Style, visibleWidth } from "./style.js";

/** A plain, left-aligned text table with a header row; cells may already carry colour. */
export function renderTable(headers: string[], rows: string[][], style: Style): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleWidth(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleWidth(cell)),
      )
      .join("  ")
      .trimEnd();
  return [style.bold(line(headers)), ...rows.map(line)].join("\n");
}

/** The width `renderTable` gives these columns: the widest cell of each, plus two spaces between them. */
export function tableWidth(headers: string[], rows: string[][], columns: number[]): number {
  const widths = columns.map((i) =>
    Math.max(visibleWidth(headers[i] ?? ""), ...rows.map((r) => visibleWidth(r[i] ?? ""))),
  );
  return widths.reduce((a, b) => a + b, 0) + 2 * Math.max(0, columns.length - 1);
}

/**
 * Which columns to keep so the table fits `width`: the least important go first (`dropOrder`, first dropped
 * first), never a cell cut in the middle. Without a width (not a terminal), every column is kept.
 */
export function fitColumns(
  headers: string[],
  rows: string[][],
  dropOrder: number[],
  width: number | undefined,
): { keep: number[]; dropped: number[] } {
  const keep = headers.map((_, i) => i);
  const dropped: number[] = [];
  if (!width) return { keep, dropped };
  for (const column of dropOrder) {
    if (tableWidth(headers, rows, keep) <= width) break;
    keep.splice(keep.indexOf(column), 1);
    dropped.push(column);
  }
  return { keep, dropped };
}

/** Break prose into lines of at most `width` columns at spaces (a word longer than the width stays whole). */
export function wrapWords(text: string, width: number | undefined): string {
  if (!width) return text;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join("\n");
}
