import type { FastifyRequest } from "fastify";
import type { GatewayRuntime } from "../runtime.js";
import { lastUserMessagePreview, terminalSafe } from "./message-preview.js";

/**
 * Let a model request pass the runtime's gate (`--manual`, `--rate-limit`), if there is one, just before it goes
 * upstream. Without a gate this is one property check: the hot path pays nothing.
 */
export async function passUpstreamGate(
  runtime: GatewayRuntime,
  request: FastifyRequest,
  api: "openai" | "anthropic",
  model: string,
  signal: AbortSignal,
): Promise<void> {
  const gate = runtime.upstreamGate;
  if (!gate) return;
  const userAgent = request.headers["user-agent"];
  await gate(
    {
      api,
      route: terminalSafe(`${request.method} ${request.url.split("?", 1)[0] ?? request.url}`),
      model: terminalSafe(model),
      preview: lastUserMessagePreview(request.body),
      clientAddress: terminalSafe(request.ip ?? request.socket.remoteAddress ?? "unknown"),
      userAgent: userAgent ? terminalSafe(userAgent) : undefined,
    },
    signal,
  );
}
