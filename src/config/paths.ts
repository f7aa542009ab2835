import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The one directory copilot-gateway writes to: COPILOT_GATEWAY_HOME, else $XDG_DATA_HOME/copilot-gateway,
 * else ~/.local/share/copilot-gateway.
 */
export function resolveHomeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COPILOT_GATEWAY_HOME) return env.COPILOT_GATEWAY_HOME;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, "copilot-gateway");
  return join(env.HOME || homedir(), ".local", "share", "copilot-gateway");
}
