import type { ServerResponse } from "node:http";
import { fixtureJson } from "./fixtures.js";
import { installationExchangeRefusal } from "./github-app.js";
import { echoAuthorization, type RecordedRequest, sendFailure, sendJson, sleep } from "./http-kit.js";
import type { FakeUpstream, Route } from "./server.js";

const DEVICE_ERRORS: Record<string, string> = {
  authorization_pending: "The authorization request is still pending.",
  slow_down: "Too many requests have been made in the same timeframe.",
  expired_token: "The device code has expired.",
  access_denied: "The authorization request was denied.",
  unsupported_grant_type: "The grant type is not supported.",
  incorrect_client_credentials: "The client_id is not valid.",
  incorrect_device_code: "The device_code provided is not valid.",
  device_flow_disabled: "Device flow is disabled for this app.",
};

/** The authorization page the fake names in `X-GitHub-SSO` (spec §2, SAML SSO). */
export const SSO_URL = "https://github.com/orgs/acme/sso?authorization_request=FAKE123";

/** GitHub answers JSON only when asked with Accept: application/json; otherwise form-encoded (spec §2). */
function sendOAuth(
  fake: FakeUpstream,
  req: RecordedRequest,
  res: ServerResponse,
  body: Record<string, unknown>,
): void {
  const wantsJson = String(req.headers.accept ?? "").includes("application/json");
  if (wantsJson && !fake.state.deviceFlow.forceFormEncoded) {
    sendJson(res, 200, body);
    return;
  }
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) form.set(k, String(v));
  res.writeHead(200, { "content-type": "application/x-www-form-urlencoded; charset=utf-8" });
  res.end(form.toString());
}

function field(req: RecordedRequest, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const v = (body && typeof body === "object" ? body[name] : undefined) ?? req.query.get(name);
  return v === undefined || v === null ? undefined : String(v);
}

function githubToken(req: RecordedRequest): string | undefined {
  const auth = String(req.headers.authorization ?? "");
  const m = /^(?:token|bearer)\s+(.+)$/i.exec(auth);
  return m?.[1];
}

function acceptsGithubToken(fake: FakeUpstream, token: string | undefined): boolean {
  if (!token) return false;
  if (fake.personByToken(token)) return true;
  if (fake.state.pats[token]) return true;
  const accepted = fake.state.exchange.acceptedTokens;
  return accepted ? accepted.includes(token) : /^gh[ou]_/.test(token);
}

/** github.com and api.github.com: device flow, /user, the token exchange and the account endpoint. */
export function githubRoutes(fake: FakeUpstream): Route[] {
  return [
    {
      method: "POST",
      path: "/login/device/code",
      handle: (req, res) => {
        const df = fake.state.deviceFlow;
        const clientId = field(req, "client_id");
        if (!clientId) return sendOAuth(fake, req, res, { error: "unauthorized_client" });
        if (df.codeError)
          return sendOAuth(fake, req, res, {
            error: df.codeError,
            error_description: DEVICE_ERRORS[df.codeError] ?? "",
          });
        const base = fixtureJson<Record<string, unknown>>("device-code.json");
        fake.deviceCodesIssued++;
        if (fake.state.people.length > 0) {
          // Several people: each sign-in gets its own codes, granted to whoever a test says approved it.
          const n = fake.deviceCodesIssued;
          const deviceCode = `dc${String(n).padStart(38, "0")}`;
          const userCode = `USER-${String(n).padStart(4, "0")}`;
          fake.deviceGrants.set(deviceCode, { userCode, scope: field(req, "scope") ?? "" });
          return sendOAuth(fake, req, res, {
            ...base,
            device_code: deviceCode,
            user_code: userCode,
            verification_uri: `${fake.url}/login/device`,
            interval: df.interval,
            expires_in: df.expiresIn,
          });
        }
        sendOAuth(fake, req, res, {
          ...base,
          user_code: df.userCode,
          verification_uri: `${fake.url}/login/device`,
          interval: df.interval,
          expires_in: df.expiresIn,
        });
      },
    },
    {
      method: "POST",
      path: "/login/oauth/access_token",
      handle: (req, res) => {
        const df = fake.state.deviceFlow;
        if (field(req, "grant_type") !== "urn:ietf:params:oauth:grant-type:device_code") {
          return sendOAuth(fake, req, res, {
            error: "unsupported_grant_type",
            error_description: DEVICE_ERRORS.unsupported_grant_type,
          });
        }
        const grant = fake.deviceGrants.get(field(req, "device_code") ?? "");
        if (fake.state.people.length > 0 && df.script.length === 0) {
          const person = grant?.login ? fake.state.people.find((p) => p.login === grant.login) : undefined;
          if (!grant || grant.denied || person) {
            return sendOAuth(
              fake,
              req,
              res,
              person
                ? { access_token: person.token, token_type: "bearer", scope: grant?.scope ?? "" }
                : {
                    error: grant ? "access_denied" : "incorrect_device_code",
                    error_description: DEVICE_ERRORS[grant ? "access_denied" : "incorrect_device_code"],
                  },
            );
          }
        }
        const outcome = df.script.shift() ?? (df.approved && !grant ? "success" : "authorization_pending");
        if (outcome === "connection_reset") return void res.socket?.destroy();
        if (outcome === "server_error") {
          res.writeHead(502, { "content-type": "text/html" });
          return void res.end("<html><body>502 Bad Gateway</body></html>");
        }
        if (outcome === "success") {
          return sendOAuth(fake, req, res, {
            access_token: df.accessToken,
            token_type: "bearer",
            scope: "",
            ...df.grantExtras,
          });
        }
        const body: Record<string, unknown> = {
          error: outcome,
          error_description: DEVICE_ERRORS[outcome],
          error_uri:
            "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow",
        };
        if (outcome === "slow_down" && df.slowDownInterval !== undefined) body.interval = df.slowDownInterval;
        sendOAuth(fake, req, res, body);
      },
    },
    {
      method: "GET",
      path: "/user",
      handle: (req, res) => {
        if (githubToken(req)?.startsWith("ghs_"))
          return sendJson(res, 403, { message: "Resource not accessible by integration" });
        if (!acceptsGithubToken(fake, githubToken(req)))
          return sendJson(res, 401, { message: "Bad credentials" });
        // A token not yet authorized for an SSO organisation still reads /user, with the header naming the page.
        const sso = fake.state.user.ssoHeader ? { "x-github-sso": `required; url=${SSO_URL}` } : undefined;
        const person = fake.personByToken(githubToken(req));
        if (person) return sendJson(res, 200, { login: person.login, id: person.id, type: "User" }, sso);
        sendJson(res, 200, { login: fake.state.user.login, id: 1, type: "User" }, sso);
      },
    },
    {
      method: "GET",
      path: "/user/orgs",
      handle: (req, res) => {
        if (!acceptsGithubToken(fake, githubToken(req)))
          return sendJson(res, 401, { message: "Bad credentials" });
        const person = fake.personByToken(githubToken(req));
        const orgs = person?.orgs ?? [];
        sendJson(
          res,
          200,
          orgs.map((login, i) => ({ login, id: 9000 + i, url: `${fake.url}/orgs/${login}` })),
        );
      },
    },
    {
      method: "GET",
      path: "/copilot_internal/v2/token",
      handle: async (req, res) => {
        const ex = fake.state.exchange;
        if (ex.delayMs > 0) await sleep(ex.delayMs);
        const token = githubToken(req);
        let validUntil: number | undefined;
        if (ex.failure === undefined && token?.startsWith("ghs_")) {
          const refusal = installationExchangeRefusal(fake, token);
          if (refusal) return sendJson(res, refusal.status, { message: refusal.message });
          validUntil = fake.installationTokens.get(token)?.validUntil;
        }
        if (ex.failure === undefined && token && ex.refusedTokens.includes(token))
          return sendJson(res, 404, {
            message: "Not Found",
            documentation_url: "https://docs.github.com/rest",
          });
        if (ex.failure === undefined && token?.startsWith("github_pat_"))
          return sendJson(res, 400, {
            message: "bad request: Personal Access Tokens are not supported for this endpoint",
          });
        const person = fake.personByToken(token);
        const failure =
          ex.failure ??
          (token?.startsWith("ghs_") || acceptsGithubToken(fake, token)
            ? person && !person.seat
              ? "no_seat"
              : undefined
            : "bad_credentials");
        switch (failure) {
          case "bad_credentials":
            return sendJson(res, 401, {
              message: "Bad credentials",
              documentation_url: "https://docs.github.com/rest",
            });
          case "sso_required":
            return sendJson(
              res,
              403,
              {
                message:
                  "Resource protected by organization SAML enforcement. You must grant your OAuth token access to this organization.",
              },
              {
                "x-github-sso": `required; url=${SSO_URL}`,
              },
            );
          case "no_seat":
            return sendJson(res, 403, fixtureJson("error-token-403-no-access.json"));
          case "subscription_ended":
            return sendJson(res, 404, {
              message: "Copilot subscription ended",
              can_signup_for_limited: true,
              error_details: {
                message: "Your Copilot subscription has ended.",
                notification_id: "subscription_ended",
                title: "Subscription ended",
                url: "https://github.com/settings/copilot",
              },
            });
          case "not_found":
            return sendJson(res, 404, {
              message: "Not Found",
              documentation_url: "https://docs.github.com/rest",
            });
          case "pat_not_supported":
            return sendJson(res, 400, {
              message: "bad request: Personal Access Tokens are not supported for this endpoint",
            });
          case "rate_limited":
            return sendJson(res, 403, fixtureJson("error-token-403-rate-limit.json"));
          case "server_error":
            return sendJson(res, 502, {
              message:
                ex.errorMessage === undefined ? "Server Error" : echoAuthorization(ex.errorMessage, req),
            });
          case undefined:
            break;
        }
        const issued = fake.issueCopilotToken(validUntil, token);
        const answer: Record<string, unknown> = {
          ...fixtureJson<Record<string, unknown>>("copilot-token-business.json"),
          token: issued.token,
          expires_at: issued.expiresAt,
          refresh_in: ex.refreshIn,
          sku: ex.sku,
        };
        if (ex.apiUrl === null) delete answer.endpoints;
        else answer.endpoints = { api: ex.apiUrl ?? fake.url, proxy: fake.url, telemetry: fake.url };
        sendJson(res, 200, answer);
      },
    },
    {
      method: "GET",
      path: "/copilot_internal/user",
      handle: (req, res) => {
        if (githubToken(req)?.startsWith("ghs_")) return sendJson(res, 404, { message: "Not Found" });
        if (!acceptsGithubToken(fake, githubToken(req)))
          return sendJson(res, 401, { message: "Bad credentials" });
        // Only failures injected for this exact path: path-less ones are meant for the Copilot API.
        const idx = fake.state.copilot.failures.findIndex((f) => f.path === req.path);
        const [failure] = idx >= 0 ? fake.state.copilot.failures.splice(idx, 1) : [];
        if (failure) return sendFailure(res, failure, req);
        const person = fake.personByToken(githubToken(req));
        sendJson(res, 200, {
          ...fixtureJson<Record<string, unknown>>("copilot-user.json"),
          login: person?.login ?? fake.state.user.login,
          ...(person && { organization_login_list: person.seat ? person.orgs : [] }),
          endpoints: { api: fake.state.exchange.apiUrl ?? fake.url },
        });
      },
    },
  ];
}
