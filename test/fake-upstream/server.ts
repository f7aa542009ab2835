import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { copilotRoutes } from "./copilot-api.js";
import { githubRoutes } from "./github.js";
import { githubAppRoutes } from "./github-app.js";
import { parseBody, type RecordedRequest, sendJson } from "./http-kit.js";
import { defaultState, type FakePerson, type FakeState } from "./state.js";

/** One device code of a multi-person fake: who approved it (or that it was denied). */
export interface DeviceGrant {
  userCode: string;
  login?: string | undefined;
  denied?: boolean | undefined;
  /** The scope the client asked for at step 1. */
  scope: string;
}

export interface Route {
  method: string;
  path: string | RegExp;
  handle: (req: RecordedRequest, res: ServerResponse, params: string[]) => void | Promise<void>;
}

export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/**
 * A loopback HTTP server that plays github.com, api.github.com and the Copilot API at once (their paths do not
 * collide). Tests point every URL override at `fake.url`, flip switches in `fake.state`, and read `fake.requests`.
 */
export class FakeUpstream {
  state: FakeState = defaultState();
  /** Every request received, in order. */
  requests: RecordedRequest[] = [];
  /** Copilot tokens issued, with the monotonic ms until which the fake accepts them. */
  readonly issued = new Map<string, number>();
  readonly policyOverrides = new Map<string, string>();
  deviceCodesIssued = 0;
  exchanges = 0;
  /** Device codes of the multi-person fake, by device code. */
  readonly deviceGrants = new Map<string, DeviceGrant>();
  /** Copilot token → the GitHub token it was exchanged from (whose seat a request runs on). */
  readonly copilotTokenSources = new Map<string, string>();
  /** Requests whose client went away before the answer finished (for disconnect tests). */
  abortedRequests: RecordedRequest[] = [];
  /** Streams held by `state.copilot.stallAfterChunks`, each resumed by releaseStalls(). */
  readonly stalledStreams = new Set<() => void>();
  /** Record requests (off for benchmarks, to keep memory flat). */
  record = true;
  #server: Server | undefined;
  /** ghs_ installation tokens minted, with the installation and the monotonic ms until which they are valid. */
  readonly installationTokens = new Map<string, { installationId: string; validUntil: number }>();
  installationTokenRequests = 0;
  #routes: Route[] = [...githubRoutes(this), ...githubAppRoutes(this), ...copilotRoutes(this)];
  #url = "";

  get url(): string {
    return this.#url;
  }

  async start(port = 0): Promise<this> {
    const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => void this.#dispatch(req, res));
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.#server = undefined;
  }

  /** TCP connections currently open to the fake (a client that closed its pool leaves none). */
  openConnections(): Promise<number> {
    const server = this.#server;
    if (!server) return Promise.resolve(0);
    return new Promise((resolve, reject) =>
      server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  }

  reset(): void {
    this.state = defaultState();
    this.requests = [];
    this.abortedRequests = [];
    this.stalledStreams.clear();
    this.issued.clear();
    this.policyOverrides.clear();
    this.deviceCodesIssued = 0;
    this.exchanges = 0;
    this.installationTokens.clear();
    this.installationTokenRequests = 0;
    this.deviceGrants.clear();
    this.copilotTokenSources.clear();
  }

  /** The person holding a GitHub token (multi-person fake). */
  personByToken(token: string | undefined): FakePerson | undefined {
    return this.state.people.find((p) => p.token === token);
  }

  /** The person whose seat a Copilot token belongs to, or undefined for a token of the single-user fake. */
  personByCopilotToken(token: string | undefined): FakePerson | undefined {
    return token === undefined ? undefined : this.personByToken(this.copilotTokenSources.get(token));
  }

  /** The GitHub person `login` enters `userCode` on the device page and approves. */
  approveDevice(userCode: string, login: string): void {
    const grant = [...this.deviceGrants.values()].find((g) => g.userCode === userCode);
    if (!grant) throw new Error(`the fake issued no device code with user code ${userCode}`);
    grant.login = login;
  }

  denyDevice(userCode: string): void {
    const grant = [...this.deviceGrants.values()].find((g) => g.userCode === userCode);
    if (!grant) throw new Error(`the fake issued no device code with user code ${userCode}`);
    grant.denied = true;
  }

  /** Logins of the people whose seats the Copilot API requests to `path` ran on, in order. */
  seatsUsedFor(path: string): (string | undefined)[] {
    return this.requestsTo(path).map((r) => {
      const bearer = /^Bearer (.+)$/.exec(String(r.headers.authorization ?? ""))?.[1];
      return this.personByCopilotToken(bearer)?.login;
    });
  }

  /** Environment that points copilot-gateway at this fake (for CLI subprocesses and library settings). */
  env(): Record<string, string> {
    return {
      COPILOT_GATEWAY_GITHUB_URL: this.url,
      COPILOT_GATEWAY_GITHUB_API_URL: this.url,
    };
  }

  /**
   * `validUntil` caps the token's life (monotonic ms): a Copilot token from an installation token dies with it.
   * `githubToken` is remembered so a test can tell whose seat a request ran on.
   */
  issueCopilotToken(validUntil = Number.POSITIVE_INFINITY, githubToken?: string): IssuedToken {
    this.exchanges++;
    const token = `tid=fake${randomBytes(8).toString("hex")};exp=0;sku=${this.state.exchange.sku};proxy-ep=fake:mac`;
    this.issued.set(token, Math.min(validUntil, performance.now() + this.state.exchange.lifetime * 1000));
    if (githubToken !== undefined) this.copilotTokenSources.set(token, githubToken);
    return { token, expiresAt: Math.floor(Date.now() / 1000) + this.state.exchange.lifetime };
  }

  isCopilotTokenValid(token: string): boolean {
    if (this.isDirectBearer(token)) return true;
    const until = this.issued.get(token);
    return until !== undefined && performance.now() < until;
  }

  /** A GitHub token the Copilot API takes as the bearer itself: a PAT with Copilot Requests, or one listed. */
  isDirectBearer(token: string): boolean {
    return (
      this.state.pats[token]?.copilotRequests === true || this.state.copilot.directBearers.includes(token)
    );
  }

  /** Let stalled streams go on to their end (and stop stalling new ones). */
  releaseStalls(): void {
    this.state.copilot.stallAfterChunks = undefined;
    for (const resume of this.stalledStreams) resume();
    this.stalledStreams.clear();
  }

  /** Make every issued Copilot token fail with 401, as if it expired early. */
  expireCopilotTokens(): void {
    this.issued.clear();
  }

  /** Requests to one path (handy in assertions). */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body: parseBody(req.headers["content-type"], rawBody, url.searchParams),
      receivedAt,
    };
    if (this.record) this.requests.push(recorded);
    res.on("close", () => {
      if (!res.writableFinished && this.record) this.abortedRequests.push(recorded);
    });
    for (const route of this.#routes) {
      if (route.method !== recorded.method) continue;
      let params: string[] | undefined;
      if (typeof route.path === "string") params = route.path === recorded.path ? [] : undefined;
      else params = route.path.exec(recorded.path)?.slice(1);
      if (!params) continue;
      try {
        await route.handle(recorded, res, params);
      } catch (error) {
        if (!res.headersSent)
          sendJson(res, 500, { message: `fake upstream bug: ${(error as Error).message}` });
        else res.destroy();
      }
      return;
    }
    sendJson(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  }
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  return await new FakeUpstream().start();
}
