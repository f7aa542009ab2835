import { z } from "zod";
import type { RequestLogEntry } from "../../server/request-log.js";

const maybeNumber = z.number().optional();
const maybeString = z.string().optional();

/** A live-log entry as another replica publishes it: checked like any input crossing a boundary. */
export const requestLogEntrySchema: z.ZodType<RequestLogEntry> = z
  .object({
    id: z.number(),
    time: z.number(),
    method: z.string(),
    path: z.string(),
    route: maybeString,
    model: maybeString,
    status: z.number(),
    durationMs: z.number(),
    firstByteMs: maybeNumber,
    stream: z.boolean(),
    inputTokens: maybeNumber,
    outputTokens: maybeNumber,
    cachedTokens: maybeNumber,
    initiator: z.enum(["user", "agent"]).optional(),
    upstreamStatus: maybeNumber,
    upstreamRequestId: maybeString,
    error: maybeString,
    aborted: z.boolean(),
    replica: maybeString,
  })
  .transform(
    (e): RequestLogEntry => ({
      ...e,
      route: e.route,
      model: e.model,
      firstByteMs: e.firstByteMs,
      inputTokens: e.inputTokens,
      outputTokens: e.outputTokens,
      cachedTokens: e.cachedTokens,
      initiator: e.initiator,
      upstreamStatus: e.upstreamStatus,
      upstreamRequestId: e.upstreamRequestId,
      error: e.error,
    }),
  ) as unknown as z.ZodType<RequestLogEntry>;
