import type { Dispatcher } from "undici";
import type { AccountStatus } from "../../auth/account-status.js";
import { completeSignIn } from "../../auth/complete-sign-in.js";
import { type DeviceFlowToken, pollDeviceFlow } from "../../auth/device-flow/poll-device-flow.js";
import { startDeviceFlow } from "../../auth/device-flow/start-device-flow.js";
import { fetchGitHubUser } from "../../auth/github-user.js";
import { chooseImport, findImportableTokens } from "../../auth/import-sources.js";
import { GITHUB_TOKEN_ENV_VARS } from "../../auth/resolve-github-token.js";
import { readStoredGitHubToken, storedTokenPath } from "../../auth/token-store.js";
import type { Settings } from "../../config/settings.js";
import { planName } from "../../copilot/wording.js";
import { EXIT_CODES, GatewayError, InterruptedError, isGatewayError } from "../../errors.js";
import { createDispatcher } from "../../http/dispatcher.js";
import type { CliContext } from "../context.js";
import { cliCommand } from "../output/command-hint.js";

export interface LoginOptions {
  /** Import a token another tool holds without asking. */
  import?: boolean;
  /** Sign in again even when a login is stored. */
  force?: boolean;
  /** Commander's `--no-browser` sets this to false. */
  browser?: boolean;
}

async function askYesNo(ctx: CliContext, question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    const answer = (await rl.question(`${question} [Y/n] `)).trim().toLowerCase();
    return answer === "" || answer === "y" || answer === "yes";
  } finally {
    rl.close();
  }
}

/** Who, on which plan (in words, as `status` and the page say it), and what to run next. */
function describeSignedIn(status: AccountStatus, githubHost: string | undefined): string {
  const plan = planName({ plan: status.plan, sku: status.sku });
  const who = status.login ? ` as ${status.login}` : "";
  const next = `Next: run ${cliCommand("serve", githubHost)} to start the gateway, or ${cliCommand('chat "hello"', githubHost)} to ask Copilot.`;
  return `Signed in to ${status.host}${who} (${plan}).\n${next}`;
}

/** Run the device flow, printing the code on stderr (so scripts can read it without a TTY), until approved. */
async function deviceFlowToken(
  ctx: CliContext,
  settings: Settings,
  opts: LoginOptions,
  dispatcher: Dispatcher,
  signal: AbortSignal,
): Promise<DeviceFlowToken> {
  const { webUrl } = settings.endpoints;
  const clientId = settings.clientId;
  const code = await startDeviceFlow({ webUrl, clientId, dispatcher, signal });
  const receivedAt = Date.now();
  ctx.stderr.write(
    `\nTo sign in to ${settings.endpoints.host}, open ${code.verificationUri}\nand enter the code:  ${code.userCode}\n\n`,
  );
  // Desktop helpers load only here, once a code is to be entered; both are best effort and never fail the login.
  const [{ copyToClipboard }, { openBrowser }] = await Promise.all([
    import("../desktop/clipboard.js"),
    import("../desktop/open-browser.js"),
  ]);
  const copiedWith = ctx.env.CI ? undefined : await copyToClipboard(code.userCode, ctx.env);
  if (copiedWith) ctx.stderr.write(`Copied the code to the clipboard (${copiedWith}).\n`);
  const tty = Boolean(ctx.stderr.isTTY) && !ctx.env.CI && ctx.env.TERM !== "dumb";
  if (tty && opts.browser !== false && (await openBrowser(code.verificationUri)))
    ctx.stderr.write(`Opened ${code.verificationUri} in your browser.\n`);
  // On a terminal: a spinner and a live countdown of the code's life; otherwise one plain line a script can read.
  let spinner: { stop(): void } | undefined;
  if (tty) {
    const { clock, startSpinner } = await import("../output/spinner.js");
    const expiresAt = receivedAt + code.expiresIn * 1000;
    spinner = startSpinner(
      ctx.stderr,
      () => `Waiting for approval… the code expires in ${clock(expiresAt - Date.now())} (Ctrl-C to cancel)`,
    );
  } else {
    ctx.stderr.write(
      `Waiting for approval (the code expires in ${Math.round(code.expiresIn / 60)} min; Ctrl-C to cancel)…\n`,
    );
  }
  try {
    return await pollDeviceFlow({
      webUrl,
      clientId,
      code,
      dispatcher,
      signal,
      onSlowDown: (seconds) => {
        const line = `GitHub asked to poll more slowly: every ${seconds} s now.\n`;
        ctx.stderr.write(spinner ? `\r\u001b[K${line}` : line);
      },
    });
  } finally {
    spinner?.stop();
  }
}

/**
 * `copilot-gateway login`: store a GitHub token for the host, from another tool's store (confirmed, or
 * `--import`) or from the device flow; then check it against GitHub and Copilot and say who is signed in.
 */
export async function login(ctx: CliContext, opts: LoginOptions = {}): Promise<void> {
  const settings = ctx.settings();
  const host = settings.endpoints.host;
  const warn = (message: string) => ctx.stderr.write(`warning: ${message}\n`);
  const location = { homeDir: settings.homeDir, host, warn };
  const overriding = GITHUB_TOKEN_ENV_VARS.filter((name) => ctx.env[name]?.trim());

  if (!opts.force && !opts.import) {
    const stored = readStoredGitHubToken(location);
    const expired = stored?.expiresAt !== undefined && Date.parse(stored.expiresAt) <= Date.now();
    if (stored && !expired) {
      const who = stored.login ? ` as ${stored.login}` : "";
      // A stored login GitHub no longer accepts (revoked, or the OAuth app's grant removed) is a dead end if
      // `login` just says "already signed in": check it, and sign in again when GitHub refuses it.
      if (await storedLoginStillWorks(settings, stored.token, ctx.env)) {
        const again = cliCommand("login --force", ctx.options.githubHost);
        const check = cliCommand("status", ctx.options.githubHost);
        ctx.stderr.write(
          `Already signed in to ${host}${who} (${storedTokenPath(settings.homeDir, host)}). Run ${again} to sign in again, or ${check} to check it.\n`,
        );
        return;
      }
      ctx.stderr.write(
        `The stored login for ${host}${who} no longer works (GitHub rejected it: revoked or expired); signing in again.\n`,
      );
    }
  }

  const interactive = Boolean(ctx.stdin.isTTY);
  const candidates = findImportableTokens(host, ctx.env);
  if (opts.import && candidates.length === 0) {
    throw new GatewayError(
      "nothing_to_import",
      `--import found no token another Copilot tool holds for ${host} (apps.json, hosts.json, copilot-api, the GitHub CLI); run \`copilot-gateway login\` without --import.`,
      { exitCode: EXIT_CODES.notSignedIn, status: 401 },
    );
  }
  const chosen = await chooseImport({
    candidates,
    importWithoutAsking: opts.import === true,
    interactive,
    confirm: (question) => askYesNo(ctx, question),
  });
  if (!chosen && candidates.length > 0 && !interactive) {
    ctx.stderr.write(
      `note: ${candidates[0]?.label} holds a token for ${host}; ${cliCommand("login --import", ctx.options.githubHost)} would use it instead.\n`,
    );
  }

  const dispatcher = createDispatcher({ caFile: settings.caFile, env: ctx.env });
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once("SIGINT", onSigint);
  let storedIn: string | undefined;
  try {
    if (chosen) {
      const { path, status } = await completeSignIn({
        settings,
        dispatcher,
        signal: abort.signal,
        token: chosen.token,
        source: `import:${chosen.path}`,
        label: chosen.label,
        verifyBeforeSaving: true,
        warn,
      });
      ctx.stderr.write(
        `Imported the token from ${chosen.label} into ${path}.\n${describeSignedIn(status, ctx.options.githubHost)}\n`,
      );
      reportSso(ctx, status);
    } else {
      const granted = await deviceFlowToken(ctx, settings, opts, dispatcher, abort.signal);
      const { status } = await completeSignIn({
        settings,
        dispatcher,
        signal: abort.signal,
        token: granted.accessToken,
        expiresIn: granted.expiresIn,
        refreshToken: granted.refreshToken,
        onSaved: (path) => {
          storedIn = path;
          ctx.stderr.write(`Stored the GitHub token in ${path}.\n`);
        },
        warn,
      });
      ctx.stderr.write(`${describeSignedIn(status, ctx.options.githubHost)}\n`);
      reportSso(ctx, status);
    }
    if (overriding.length > 0) {
      ctx.stderr.write(
        `note: ${overriding.join(", ")} is set and takes precedence over the stored login; unset it to use this login.\n`,
      );
    }
  } catch (error) {
    // Ctrl-C at any step: one calm line, the same style as `chat`'s, saying what was kept.
    if (abort.signal.aborted)
      throw new InterruptedError(
        storedIn ? `; the GitHub token was already stored in ${storedIn}` : "; nothing was stored",
      );
    throw error;
  } finally {
    process.removeListener("SIGINT", onSigint);
    await dispatcher.close();
  }
}

/**
 * False only when GitHub answers the stored token with 401 (bad credentials). Any other outcome (an SSO
 * organisation, a network failure) leaves the login as it is: signing in again would not fix it.
 */
async function storedLoginStillWorks(
  settings: Settings,
  token: string,
  env: NodeJS.ProcessEnv,
): Promise<boolean> {
  const dispatcher = createDispatcher({ caFile: settings.caFile, env });
  try {
    await fetchGitHubUser({
      endpoints: settings.endpoints,
      identity: settings.identity,
      githubToken: { value: token, origin: "stored", label: "the stored login" },
      dispatcher,
      signal: AbortSignal.timeout(15_000),
    });
    return true;
  } catch (error) {
    return !(isGatewayError(error) && error.code === "bad_credentials");
  } finally {
    await dispatcher.close();
  }
}

function reportSso(ctx: CliContext, status: AccountStatus): void {
  if (status.ssoUrl) {
    ctx.stderr.write(
      `note: an organization with SAML SSO still needs this token authorized: open ${status.ssoUrl} and approve.\n`,
    );
  }
}
