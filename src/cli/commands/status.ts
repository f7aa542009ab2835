import type { AccountStatus } from "../../auth/account-status.js";
import { resolveGitHubToken } from "../../auth/resolve-github-token.js";
import type { CliContext } from "../context.js";

export interface StatusOptions {
  json?: boolean;
}

function describeExpiry(status: AccountStatus): string {
  const minutes = Math.round(status.refreshIn / 60);
  return `${status.expiresAt} (refreshed about every ${minutes} min)`;
}

function formatStatus(status: AccountStatus): string {
  const rows: [string, string][] = [
    ["host", status.host],
    ["GitHub login", status.login],
    ["token source", `${status.tokenSourceLabel}, ${status.tokenMasked}`],
    ["Copilot plan", `${status.plan ?? "unknown"} (sku ${status.sku ?? "unknown"})`],
    ["Copilot API", status.copilotApiUrl],
    ["token expires", describeExpiry(status)],
    ["chat enabled", status.chatEnabled === undefined ? "unknown" : status.chatEnabled ? "yes" : "no"],
  ];
  if (status.ssoUrl) rows.push(["SSO pending", `authorize at ${status.ssoUrl}`]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join("\n");
}

/** `copilot-gateway status [--json]`: who is signed in and what Copilot answers for them. Never prints a token. */
export async function status(ctx: CliContext, opts: StatusOptions = {}): Promise<void> {
  const settings = ctx.settings();
  const githubToken = resolveGitHubToken(settings, ctx.env, {
    warn: (message) => ctx.stderr.write(`warning: ${message}\n`),
  });
  // Loaded only once there is a token, so "not signed in" fails without paying for the HTTP stack.
  const [{ getAccountStatus }, { createDispatcher }] = await Promise.all([
    import("../../auth/account-status.js"),
    import("../../http/dispatcher.js"),
  ]);
  const dispatcher = createDispatcher({ caFile: settings.caFile, env: ctx.env });
  try {
    const result = await getAccountStatus({ settings, githubToken, dispatcher });
    ctx.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${formatStatus(result)}\n`);
  } finally {
    await dispatcher.close();
  }
}
