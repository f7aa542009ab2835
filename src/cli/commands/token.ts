import { readStoredGitHubToken, storedTokenPath } from "../../auth/token-store.js";
import { EXIT_CODES, GatewayError } from "../../errors.js";
import type { CliContext } from "../context.js";

/**
 * `copilot-gateway token`: print the stored GitHub token for the host on stdout, and nothing else (for a CI secret,
 * as `gh auth token` does). The only command that ever prints a token, and only when asked by name.
 */
export async function token(ctx: CliContext): Promise<void> {
  const settings = ctx.settings();
  const host = settings.endpoints.host;
  const stored = readStoredGitHubToken({
    homeDir: settings.homeDir,
    host,
    warn: (message) => ctx.stderr.write(`warning: ${message}\n`),
  });
  if (!stored)
    throw new GatewayError(
      "no_stored_login",
      `No stored login for ${host} (${storedTokenPath(settings.homeDir, host)}); run \`copilot-gateway login\` first.`,
      { exitCode: EXIT_CODES.notSignedIn, status: 401 },
    );
  ctx.stdout.write(`${stored.token}\n`);
}
