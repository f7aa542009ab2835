import type { AccountStatus } from "../../auth/account-status.js";
import { expiresIn, planName } from "../../copilot/wording.js";
import { resolveCredentialSource } from "../../credentials/resolve-credential.js";
import type { CliContext } from "../context.js";

export interface StatusOptions {
  json?: boolean;
}

/** The Copilot token's expiry, relative first ("expires in 24 min"), then the exact time for a bug report. */
function describeExpiry(status: AccountStatus, now = Date.now()): string {
  if (status.bearer === "direct")
    return "none: the GitHub token itself is the bearer (checked again every hour)";
  const when = `${expiresIn(Date.parse(status.expiresAt), now)} (${status.expiresAt})`;
  if (status.bearer === "copilot-token") return `${when}; given as is, it cannot be refreshed`;
  const minutes = Math.round(status.refreshIn / 60);
  return `${when}; renewed about every ${minutes} min`;
}

function formatStatus(status: AccountStatus): string {
  const source = status.tokenMasked
    ? `${status.tokenSourceLabel}, ${status.tokenMasked}`
    : status.tokenSourceLabel;
  // GitHub facts first, then Copilot's: the Copilot token's expiry must not read as the GitHub login expiring.
  const rows: [string, string][] = [["host", status.host]];
  if (status.login) rows.push(["GitHub login", status.login]);
  rows.push(
    ["GitHub token", source],
    ["mode", status.modeDescription],
    ["billed to", status.billing],
    ["Copilot plan", planName({ plan: status.plan, sku: status.sku })],
    ["Copilot API", status.copilotApiUrl],
    ["Copilot token", describeExpiry(status)],
    ["chat enabled", status.chatEnabled === undefined ? "unknown" : status.chatEnabled ? "yes" : "no"],
  );
  if (status.ssoUrl) rows.push(["SSO pending", `authorize at ${status.ssoUrl}`]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join("\n");
}

/**
 * `copilot-gateway status [--json]`: how Copilot is reached (the mode, who is billed), who is signed in and what
 * Copilot answers for them. Never prints a token.
 */
export async function status(ctx: CliContext, opts: StatusOptions = {}): Promise<void> {
  if (!opts.json) return await report(ctx, opts);
  // --json means JSON on every path: a failure is {"error": {code, message}} on stdout, with the same exit code.
  try {
    await report(ctx, opts);
  } catch (error) {
    const { describeError, EXIT_CODES, isGatewayError } = await import("../../errors.js");
    const code = isGatewayError(error) ? error.code : "unexpected";
    ctx.stdout.write(`${JSON.stringify({ error: { code, message: describeError(error) } })}\n`);
    process.exitCode = isGatewayError(error) ? error.exitCode : EXIT_CODES.unexpected;
  }
}

async function report(ctx: CliContext, opts: StatusOptions): Promise<void> {
  const settings = ctx.settings();
  const warn = (message: string) => ctx.stderr.write(`warning: ${message}\n`);
  const source = resolveCredentialSource(settings, ctx.env, { warn });
  // Loaded only once there is a credential, so "not signed in" fails without paying for the HTTP stack.
  const [{ getAccountStatus }, { createDispatcher }, { createCopilotCredential }] = await Promise.all([
    import("../../auth/account-status.js"),
    import("../../http/dispatcher.js"),
    import("../../credentials/create-credential.js"),
  ]);
  const dispatcher = createDispatcher({ caFile: settings.caFile, env: ctx.env });
  try {
    const credential = createCopilotCredential(source, { settings, dispatcher, warn, env: ctx.env });
    const result = await getAccountStatus({ settings, credential, dispatcher });
    ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${formatStatus(result)}\n`);
  } finally {
    await dispatcher.close();
  }
}
