// Module hooks for the start-up test: every module the CLI resolves is appended to $MODULE_TRACE_FILE.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (process.env.MODULE_TRACE_FILE) appendFileSync(process.env.MODULE_TRACE_FILE, `${result.url}\n`);
  return result;
}
