import { randomBytes, verify } from "node:crypto";
import type { ServerResponse } from "node:http";
import { type RecordedRequest, sendJson } from "./http-kit.js";
import type { FakeUpstream, Route } from "./server.js";

/** GitHub's clock as the fake plays it: ours shifted by `state.app.clockSkewSeconds`. */
export function fakeGitHubNow(fake: FakeUpstream): number {
  return Date.now() + fake.state.app.clockSkewSeconds * 1000;
}

/** Every answer of the App endpoints carries GitHub's (possibly skewed) `Date`. */
function send(fake: FakeUpstream, res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { date: new Date(fakeGitHubNow(fake)).toUTCString() });
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8")) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Check an App JWT as GitHub does (spec §9 step 2); returns GitHub's 401 message, or undefined when valid. */
function jwtProblem(fake: FakeUpstream, jwt: string | undefined): string | undefined {
  const app = fake.state.app;
  if (!jwt || !app.publicKey) return "A JSON web token could not be decoded";
  const [h, p, s] = jwt.split(".");
  const header = decodePart(h);
  const payload = decodePart(p);
  if (!header || !payload || !s || header.alg !== "RS256") return "A JSON web token could not be decoded";
  const signed = verify("RSA-SHA256", Buffer.from(`${h}.${p}`), app.publicKey, Buffer.from(s, "base64url"));
  if (!signed) return "A JSON web token could not be decoded";
  if (String(payload.iss) !== app.appId) return "Integration not found";
  const { iat, exp } = payload;
  if (typeof iat !== "number" || typeof exp !== "number")
    return "'Issued at' claim ('iat') must be an Integer";
  if (exp - iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
  const now = Math.floor(fakeGitHubNow(fake) / 1000);
  if (exp <= now)
    return "'Expiration time' claim ('exp') must be a numeric value representing the future time";
  if (iat > now + 60) return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
  return undefined;
}

/** `POST /app/installations/{id}/access_tokens`: mints ghs_ tokens for the test App, or answers each §9 failure. */
export function githubAppRoutes(fake: FakeUpstream): Route[] {
  return [
    {
      method: "POST",
      path: /^\/app\/installations\/([^/]+)\/access_tokens$/,
      handle: (req: RecordedRequest, res, [installationId]) => {
        const app = fake.state.app;
        fake.installationTokenRequests++;
        if (app.mintFailure === "server_error") return send(fake, res, 502, { message: "Server Error" });
        const jwt = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
        const problem = jwtProblem(fake, jwt);
        if (problem)
          return send(fake, res, 401, {
            message: problem,
            documentation_url: "https://docs.github.com/rest",
          });
        if (app.notAnApp)
          return send(fake, res, 403, {
            message: "Resource not accessible by integration",
            documentation_url: "https://docs.github.com/rest",
          });
        const installation = app.installations[installationId ?? ""];
        if (!installation)
          return send(fake, res, 404, {
            message: "Not Found",
            documentation_url: "https://docs.github.com/rest",
          });
        const body = req.body as { repository_ids?: unknown; permissions?: unknown } | undefined;
        const repos = Array.isArray(body?.repository_ids) ? body.repository_ids : [];
        if (repos.some((id) => !installation.repositories.includes(Number(id))))
          return send(fake, res, 422, {
            message:
              "There is at least one repository that does not exist or is not accessible to the parent installation.",
          });
        const token = `ghs_${randomBytes(18).toString("hex")}`;
        const lifetime = app.tokenLifetimeSeconds;
        fake.installationTokens.set(token, {
          installationId: installationId ?? "",
          validUntil: performance.now() + lifetime * 1000,
        });
        send(fake, res, 201, {
          token,
          expires_at: new Date(fakeGitHubNow(fake) + lifetime * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
          permissions: { copilot_requests: "write" },
          repository_selection: installation.allRepositories ? "all" : "selected",
        });
      },
    },
  ];
}

/**
 * How the exchange answers a ghs_ token (spec §9 step 4): undefined to issue a Copilot token, else the refusal.
 * Installation tokens: expired → 401 bad credentials; the org disallows App installations → 401; no Copilot
 * Requests permission or not All repositories → 403. Actions tokens: without `copilot-requests: write` → 403;
 * org policy off → 401.
 */
export function installationExchangeRefusal(
  fake: FakeUpstream,
  token: string,
): { status: number; message: string } | undefined {
  const minted = fake.installationTokens.get(token);
  if (minted) {
    if (performance.now() >= minted.validUntil) return { status: 401, message: "Bad credentials" };
    const installation = fake.state.app.installations[minted.installationId];
    const org = installation && fake.state.orgs[installation.org];
    if (!installation || !org?.allowAppInstallations) return { status: 401, message: "Unauthorized" };
    if (!installation.copilotPermission || !installation.allRepositories)
      return { status: 403, message: "Resource not accessible by integration" };
    return undefined;
  }
  const actions = fake.state.actionsTokens[token];
  if (actions) {
    if (!actions.copilotRequests) return { status: 403, message: "Resource not accessible by integration" };
    const org = fake.state.orgs[actions.org];
    if (!org?.allowActions) return { status: 401, message: "Unauthorized" };
    return undefined;
  }
  return { status: 401, message: "Bad credentials" };
}
