import { hostname } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { EXIT_CODES, GatewayError } from "../../errors.js";
import { createDispatcher } from "../../http/dispatcher.js";
import { readText, sendHttp } from "../../http/request.js";
import { normalizeServerUrl, saveServerKey } from "../../team/server-keys.js";
import type { CliContext } from "../context.js";

export interface ConnectOptions {
  name?: string;
  json?: boolean;
}

const startedSchema = z.object({
  handle: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  intervalSeconds: z.number(),
  expiresAt: z.number(),
});
const progressSchema = z.union([
  z.object({ status: z.literal("pending"), intervalSeconds: z.number() }),
  z.object({ status: z.literal("complete"), login: z.string(), key: z.string(), url: z.string().optional() }),
  z.object({ status: z.string(), error: z.object({ code: z.string(), message: z.string() }) }),
]);
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function signInFailed(code: string, message: string): GatewayError {
  const exitCode =
    code === "sign_in_denied"
      ? EXIT_CODES.deviceFlowDenied
      : code === "sign_in_expired"
        ? EXIT_CODES.deviceFlowExpired
        : code === "sign_in_refused"
          ? EXIT_CODES.noCopilotAccess
          : EXIT_CODES.upstream;
  return new GatewayError(code, message, { exitCode });
}

/**
 * `copilot-gateway connect URL`: sign in to a team gateway the way `gh auth login` does for a host. The gateway runs
 * GitHub's device flow for you; you approve the code as yourself; the personal key it then hands out is stored
 * (0600, one file per server) for `copilot-gateway env … --server URL`.
 */
export async function connect(ctx: CliContext, server: string, opts: ConnectOptions = {}): Promise<void> {
  const url = normalizeServerUrl(server);
  const settings = ctx.settings();
  const dispatcher = createDispatcher({ caFile: settings.caFile });
  const call = async (path: string, body: unknown) => {
    const response = await sendHttp({
      method: "POST",
      url: `${url}/team/api${path}`,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      dispatcher,
      headersTimeoutMs: 60_000,
      bodyTimeoutMs: 60_000,
    });
    const text = await readText(response);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, json };
  };
  try {
    const started = await call("/sign-in", { via: "connect", name: opts.name ?? `connect on ${hostname()}` });
    if (started.status === 404) {
      throw new GatewayError(
        "not_a_team_gateway",
        `${url} is not a team gateway (it has no sign-in for people); check the URL, or ask its operator to run \`copilot-gateway serve --team\`.`,
        { exitCode: EXIT_CODES.usage },
      );
    }
    const code = startedSchema.safeParse(started.json);
    if (started.status !== 201 || !code.success) {
      const error = errorSchema.safeParse(started.json);
      throw signInFailed(
        error.success ? error.data.error.code : "connect_failed",
        error.success
          ? `${url} could not start the sign-in: ${error.data.error.message}`
          : `${url} answered HTTP ${started.status} to the sign-in; check the URL.`,
      );
    }
    ctx.stderr.write(
      `To sign in to ${url}, open ${code.data.verificationUri} and enter the code ${code.data.userCode} as yourself on GitHub.\n`,
    );
    let interval = code.data.intervalSeconds;
    for (;;) {
      await delay(Math.max(250, interval * 1000));
      const polled = await call("/sign-in/poll", { handle: code.data.handle });
      const progress = progressSchema.safeParse(polled.json);
      if (!progress.success) {
        throw signInFailed(
          "connect_failed",
          `${url} answered HTTP ${polled.status} while signing in; retry.`,
        );
      }
      const p = progress.data;
      if (p.status === "pending" && "intervalSeconds" in p) {
        interval = p.intervalSeconds;
        continue;
      }
      if (p.status === "complete" && "key" in p) {
        const path = saveServerKey(settings.homeDir, { server: url, login: p.login, key: p.key });
        if (opts.json) {
          ctx.stdout.write(`${JSON.stringify({ server: url, login: p.login, key: p.key })}\n`);
        } else {
          ctx.stdout.write(
            `Signed in to ${url} as ${p.login}. Your personal key is stored in ${path}.\nNext: eval "$(copilot-gateway env claude-code --server ${url})"\n`,
          );
        }
        return;
      }
      if ("error" in p) throw signInFailed(p.error.code, p.error.message);
    }
  } finally {
    await dispatcher.close();
  }
}
