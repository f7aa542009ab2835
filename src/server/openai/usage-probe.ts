const USAGE_KEY = Buffer.from('"usage":');
const INDEX_KEY = Buffer.from('"index":');
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function skipSpace(buf: Buffer, at: number): number {
  let i = at;
  while (i < buf.length && SPACE.has(buf[i] ?? 0)) i++;
  return i;
}

/** Index of the `}` closing the object that opens at `open`, skipping strings; -1 when it does not close. */
function closingBrace(buf: Buffer, open: number): number {
  let depth = 0;
  for (let i = open; i < buf.length; i++) {
    const byte = buf[i];
    if (byte === 0x22 /* " */) {
      for (i++; i < buf.length && buf[i] !== 0x22; i++) if (buf[i] === 0x5c /* \ */) i++;
    } else if (byte === 0x7b /* { */) depth++;
    else if (byte === 0x7d /* } */ && --depth === 0) return i;
  }
  return -1;
}

/**
 * The `usage` object of a JSON answer, read without parsing the rest of it (answers can be large; the log line
 * only needs the token counts). Takes the last `"usage":` key, where OpenAI-style answers keep it; a quote inside
 * a JSON string is escaped, so content cannot fake the key. Undefined when there is none or it does not parse.
 */
export function probeUsage(raw: Buffer): Record<string, unknown> | undefined {
  const key = raw.lastIndexOf(USAGE_KEY);
  if (key < 0) return undefined;
  const open = skipSpace(raw, key + USAGE_KEY.length);
  if (raw[open] !== 0x7b) return undefined;
  const close = closingBrace(raw, open);
  if (close < 0) return undefined;
  try {
    const usage = JSON.parse(raw.toString("utf8", open, close + 1)) as unknown;
    return usage && typeof usage === "object" ? (usage as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** True when some `"index":` key holds anything but 0: the answer may carry more than one choice. */
export function hasNonZeroIndex(raw: Buffer): boolean {
  for (let at = raw.indexOf(INDEX_KEY); at >= 0; at = raw.indexOf(INDEX_KEY, at + INDEX_KEY.length)) {
    const value = skipSpace(raw, at + INDEX_KEY.length);
    const next = raw[value + 1];
    if (raw[value] !== 0x30 /* 0 */ || (next !== undefined && next >= 0x30 && next <= 0x39)) return true;
  }
  return false;
}
