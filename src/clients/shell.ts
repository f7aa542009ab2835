import { UsageError } from "../errors.js";

/** The shells `env` writes for. */
export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
export type Shell = (typeof SHELLS)[number];

/** The user's shell from `$SHELL` (or PowerShell on Windows), bash when unknown. */
export function detectShell(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Shell {
  const name = (env.SHELL ?? "").split(/[\\/]/).pop() ?? "";
  if ((SHELLS as readonly string[]).includes(name)) return name as Shell;
  if (platform === "win32") return "powershell";
  return "bash";
}

export function parseShell(value: string): Shell {
  if ((SHELLS as readonly string[]).includes(value)) return value as Shell;
  throw new UsageError(`Unknown shell "${value}"; use one of ${SHELLS.join(", ")}.`, "invalid_shell");
}
