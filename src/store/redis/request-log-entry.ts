import { z } from "zod";
import type { RequestLogEntry } from "../../server/request-log.js";

/** A live-log entry as another replica publishes it: checked like any input crossing a boundary. */
export const requestLogEntrySchema: z.ZodType<RequestLogEntry> = z.object({
  id: z.number(),
  time: z.number(),
  method: z.string(),
  path: z.string(),
  model: z.string().optional(),
  status: z.number(),
  durationMs: z.number(),
  stream: z.boolean(),
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  error: z.string().optional(),
  aborted: z.boolean(),
  replica: z.string().optional(),
}) as z.ZodType<RequestLogEntry>;
