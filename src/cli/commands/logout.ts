import { GITHUB_TOKEN_ENV_VARS } from "../../auth/resolve-github-token.js";
import { deleteStoredGitHubToken } from "../../auth/token-store.js";
import type { CliContext } from "../context.js";

/** `copilot-gateway logout`: forget the stored GitHub token for the host (tokens in env variables stay in use). */
export async function logout(ctx: CliContext): Promise<void> {
  const settings = ctx.settings();
  const host = settings.endpoints.host;
  const removed = deleteStoredGitHubToken({ homeDir: settings.homeDir, host });
  ctx.stderr.write(
    removed
      ? `Signed out of ${host}: removed ${removed}.\n`
      : `No stored login for ${host}; nothing to remove.\n`,
  );
  const stillSet = GITHUB_TOKEN_ENV_VARS.filter((name) => ctx.env[name]?.trim());
  if (stillSet.length > 0) {
    ctx.stderr.write(
      `note: ${stillSet.join(", ")} is still set and will keep being used; unset it to sign out.\n`,
    );
  }
}
