import type { CopilotClient } from "../copilot/client.js";
import { resolveCredentialSource } from "../credentials/resolve-credential.js";
import type { CliContext } from "./context.js";

/**
 * The Copilot client for a command. The credential is resolved first (offline, without zod or the HTTP stack), so
 * "not signed in" fails as fast as `--help`; the client and undici load only once there is something to send.
 */
export async function openCopilotClient(ctx: CliContext): Promise<CopilotClient> {
  const settings = ctx.settings();
  const source = resolveCredentialSource(settings, ctx.env);
  const { connectCopilot } = await import("../copilot/connect.js");
  return connectCopilot({ settings, env: ctx.env, source });
}
