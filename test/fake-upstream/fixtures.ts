import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** A captured payload from test/fixtures (copied from shared/fixtures; see its SOURCES.md). */
export function fixtureText(name: string): string {
  return readFileSync(dir + name, "utf8");
}

export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** The `data:` payloads of a recorded SSE stream, in order (event names dropped). */
export function sseDataLines(name: string): string[] {
  return fixtureText(name)
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trimStart());
}

/** The events of a recorded SSE stream as `{event, data}` pairs. */
export function sseEvents(name: string): { event: string | undefined; data: string }[] {
  const out: { event: string | undefined; data: string }[] = [];
  for (const block of fixtureText(name).split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (data.length > 0) out.push({ event, data: data.join("\n") });
  }
  return out;
}
