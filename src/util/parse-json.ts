import type { z } from "zod";

/** Validate text that should be JSON against a schema; text that is not JSON fails like any other bad input. */
export function safeParseJson<S extends z.ZodType>(schema: S, text: string): ReturnType<S["safeParse"]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return schema.safeParse(json) as ReturnType<S["safeParse"]>;
}
