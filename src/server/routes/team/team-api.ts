import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { GatewayError, isGatewayError } from "../../../errors.js";
import { hashSecret } from "../../../team/personal-key.js";
import type { TeamGateway } from "../../../team/team-gateway.js";
import { unknownSignIn } from "../../../team/team-sign-in.js";
import { redactSecrets } from "../../../util/redact.js";

/** The header every state-changing page call carries: its value is the session's CSRF token. */
export const CSRF_HEADER = "x-cgw-csrf";

const signInBody = z.object({
  via: z.enum(["connect", "page"]).default("connect"),
  name: z.string().trim().min(1).max(100).optional(),
});
const pollBody = z.object({ handle: z.string().min(20).max(200) });
const keyBody = z.object({ name: z.string().trim().min(1).max(100) });
const idParams = z.object({ id: z.string().min(1).max(100) });
const loginParams = z.object({ login: z.string().min(1).max(39) });
const auditQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

function teamError(code: string, message: string, status: number): GatewayError {
  return new GatewayError(code, message, { status });
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw teamError(
    "invalid_request",
    `Invalid request: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "unexpected shape"}.`,
    400,
  );
}

/** The CSRF token of a page session: derived from the cookie, so only a page that can read our answers has it. */
export function csrfToken(cookieValue: string): string {
  return hashSecret(`csrf:${cookieValue}`).slice(0, 43);
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(hashSecret(a), "hex");
  const y = Buffer.from(hashSecret(b), "hex");
  return timingSafeEqual(x, y);
}

export interface TeamApiOptions {
  team: TeamGateway;
}

/**
 * `/team/api/*`: sign-in for `copilot-gateway connect` and the page, and the page's own calls (a person's keys and
 * usage; the admin view). Page calls authenticate with a session cookie (HttpOnly, SameSite=Strict, Secure behind
 * HTTPS); every state-changing one must come from this origin and carry the session's CSRF token in `x-cgw-csrf`.
 */
export async function teamApiRoutes(app: FastifyInstance, opts: TeamApiOptions): Promise<void> {
  const { team } = opts;
  const secure = (request: FastifyRequest) =>
    request.protocol === "https" || (team.options.publicUrl?.startsWith("https://") ?? false);
  const cookieName = (request: FastifyRequest) => (secure(request) ? "__Host-cgw-session" : "cgw-session");
  const baseUrl = (request: FastifyRequest) =>
    team.options.publicUrl ?? `${request.protocol}://${request.headers.host ?? "127.0.0.1"}`;

  const allowedOrigins = (request: FastifyRequest) => {
    const own = [`${request.protocol}://${request.headers.host ?? ""}`];
    if (team.options.publicUrl) own.push(new URL(team.options.publicUrl).origin);
    return own;
  };

  /** A browser call from another site is refused outright; non-browser clients (connect) send no Origin. */
  const checkOrigin = (request: FastifyRequest) => {
    const origin = request.headers.origin;
    const site = request.headers["sec-fetch-site"];
    if (origin !== undefined && !allowedOrigins(request).includes(origin)) {
      throw teamError("cross_origin_refused", `Refused a call from another site (${origin}).`, 403);
    }
    if (site === "cross-site" || site === "same-site") {
      throw teamError("cross_origin_refused", "Refused a call from another site.", 403);
    }
  };

  /** The signed-in person of a page call; state-changing calls must also carry the CSRF token. */
  const pagePerson = async (request: FastifyRequest, stateChanging: boolean) => {
    const value = cookieValue(request, cookieName(request));
    const notSignedIn = teamError(
      "page_not_signed_in",
      "Not signed in on this page: sign in with GitHub first.",
      401,
    );
    if (!value) throw notSignedIn;
    const session = await team.store.getPageSession(hashSecret(value));
    if (!session || session.expiresAt <= Date.now()) throw notSignedIn;
    const user = await team.store.getUser(session.login);
    if (!user || user.disabledAt !== undefined) throw notSignedIn;
    if (stateChanging) {
      const presented = request.headers[CSRF_HEADER];
      if (typeof presented !== "string" || !sameText(presented, csrfToken(value))) {
        throw teamError(
          "csrf_refused",
          "Refused: this call lacks the page's CSRF token; reload the page.",
          403,
        );
      }
    }
    return { login: user.login, cookie: value, sessionId: session.id };
  };

  const admin = async (request: FastifyRequest, stateChanging: boolean) => {
    const person = await pagePerson(request, stateChanging);
    if (!team.isAdmin(person.login)) {
      throw teamError("admin_only", `${person.login} is not an admin of this gateway (see --admin).`, 403);
    }
    return person;
  };

  const setSessionCookie = (request: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number) => {
    const parts = [
      `${cookieName(request)}=${value}`,
      "Path=/",
      "HttpOnly",
      "SameSite=Strict",
      `Max-Age=${maxAgeS}`,
    ];
    if (secure(request)) parts.push("Secure");
    reply.header("set-cookie", parts.join("; "));
  };

  app.addHook("onRequest", async (request, reply) => {
    reply.header("cache-control", "no-store");
    checkOrigin(request);
  });

  app.setErrorHandler((error, _request, reply) => {
    const gatewayError = isGatewayError(error)
      ? error
      : teamError("unexpected", `Unexpected error: ${(error as Error).message}`, 500);
    if (gatewayError.responseHeaders) reply.headers(gatewayError.responseHeaders);
    reply
      .code(gatewayError.status)
      .send({ error: { code: gatewayError.code, message: redactSecrets(gatewayError.message) } });
  });

  app.get("/info", async (request) => ({
    team: true,
    url: baseUrl(request),
    allowOrgs: team.options.allowOrgs,
    billing: team.options.billing,
    limits: { userRpm: team.options.userRpm, userConcurrency: team.options.userConcurrency },
  }));

  app.post("/sign-in", async (request, reply) => {
    const body = parse(signInBody, request.body);
    const started = await team.signIns.start({
      via: body.via,
      keyName: body.name ?? (body.via === "page" ? "page sign-in" : "connect"),
      address: request.ip,
    });
    return reply.code(201).send(started);
  });

  app.post("/sign-in/poll", async (request, reply) => {
    const { handle } = parse(pollBody, request.body);
    const progress = await team.signIns.poll(handle, request.ip);
    if (!progress) throw unknownSignIn();
    if (progress.status === "complete") {
      const { pageSession, ...rest } = progress;
      if (pageSession)
        setSessionCookie(request, reply, pageSession, Math.floor(team.options.pageSessionMs / 1000));
      return { ...rest, url: baseUrl(request) };
    }
    if (progress.status === "pending") return progress;
    const status = progress.status === "refused" || progress.status === "denied" ? 403 : 410;
    return reply.code(status).send({
      status: progress.status,
      error: { code: `sign_in_${progress.status}`, message: progress.message },
    });
  });

  app.get("/me", async (request) => {
    const person = await pagePerson(request, false);
    const view = await team.personView(person.login);
    if (!view)
      throw teamError("page_not_signed_in", "Not signed in on this page: sign in with GitHub first.", 401);
    return { ...view, csrf: csrfToken(person.cookie), url: baseUrl(request) };
  });

  // The person's own seat (copilot_internal/user with their token): fetched on demand, reused for a minute.
  app.get("/me/quota", async (request) => {
    const person = await pagePerson(request, false);
    return { quota: (await team.seatQuota(person.login)) ?? null };
  });

  app.post("/sign-out", async (request, reply) => {
    const person = await pagePerson(request, true);
    await team.store.deletePageSession(person.sessionId);
    setSessionCookie(request, reply, "", 0);
    return { ok: true };
  });

  app.post("/keys", async (request, reply) => {
    const person = await pagePerson(request, true);
    const { name } = parse(keyBody, request.body);
    const created = await team.createKey(person.login, name, request.ip);
    return reply.code(201).send({ key: created.key, record: created.record });
  });

  app.post("/keys/:id/revoke", async (request) => {
    const person = await pagePerson(request, true);
    const { id } = parse(idParams, request.params);
    const revoked = await team.revokeKey(person.login, id, request.ip);
    if (!revoked) throw teamError("key_not_found", `No key ${id} that you may revoke.`, 404);
    return { key: revoked };
  });

  app.get("/admin/users", async (request) => {
    await admin(request, false);
    return team.adminView();
  });

  app.get("/admin/users/:login/quota", async (request) => {
    await admin(request, false);
    const { login } = parse(loginParams, request.params);
    const user = await team.store.getUser(login);
    if (!user) throw teamError("user_not_found", `No person ${login} has signed in to this gateway.`, 404);
    return { login: user.login, quota: (await team.seatQuota(user.login)) ?? null };
  });

  app.get("/admin/audit", async (request) => {
    await admin(request, false);
    const { limit } = parse(auditQuery, request.query);
    return { entries: await team.store.listAudit({ limit }) };
  });

  app.post("/admin/users/:login/disable", async (request) => {
    const person = await admin(request, true);
    const { login } = parse(loginParams, request.params);
    if (login.toLowerCase() === person.login.toLowerCase()) {
      throw teamError("cannot_disable_self", "You cannot revoke your own access from the page.", 400);
    }
    if (!(await team.disableUser(person.login, login, request.ip))) {
      throw teamError("user_not_found", `No person ${login} has signed in to this gateway.`, 404);
    }
    return { ok: true };
  });

  app.post("/admin/users/:login/enable", async (request) => {
    const person = await admin(request, true);
    const { login } = parse(loginParams, request.params);
    if (!(await team.enableUser(person.login, login, request.ip))) {
      throw teamError("user_not_found", `No person ${login} has signed in to this gateway.`, 404);
    }
    return { ok: true };
  });
}
