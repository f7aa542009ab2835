import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveSettings } from "../../src/config/settings.js";
import { type CopilotSession, createCopilotSession } from "../../src/copilot/session.js";
import { GatewayError } from "../../src/errors.js";
import type { PageBackend } from "../../src/web/page-backend.js";
import type { PageStateView, RequestLogView } from "../../src/web/page-types.js";
import { SignInCoordinator } from "../../src/web/sign-in-coordinator.js";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { waitFor } from "../server/harness.js";
import { ManualRequestLog, startPageServer } from "./page-server.js";

const GITHUB_TOKEN = "gho_pagetest000000000000000000000000000042";

let fake: FakeUpstream;
let home: string;

beforeAll(async () => {
  fake = await startFakeUpstream();
  home = mkdtempSync(join(tmpdir(), "cg-page-"));
});
afterAll(async () => {
  await fake.stop();
  rmSync(home, { recursive: true, force: true });
});

interface Harness {
  url: string;
  host: string;
  log: ManualRequestLog;
  server: Server;
  backend: PageBackend & { current: CopilotSession | undefined };
  close(): Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(options: { apiKeys?: string[]; signedIn?: boolean } = {}): Promise<Harness> {
  const settings = resolveSettings({ homeDir: home }, { ...fake.env(), COPILOT_GATEWAY_HOME: home });
  const log = new ManualRequestLog();
  const session = options.signedIn
    ? createCopilotSession({
        settings,
        githubToken: { value: GITHUB_TOKEN, origin: "stored", label: "the stored login" },
      })
    : undefined;
  const notUsed = () => Promise.reject(new GatewayError("not_used", "not used by this test"));
  const backend: Harness["backend"] = {
    current: session,
    settings,
    apiKeys: options.apiKeys ?? [],
    session: () => backend.current,
    signIn: new SignInCoordinator({ requestCode: notUsed, waitForToken: notUsed, complete: notUsed }),
    signOut: async () => {
      backend.current = undefined;
      return undefined;
    },
    listModels: notUsed,
    enableModel: notUsed,
    usage: notUsed,
    claudeCodeModels: async () => undefined,
    requestLog: log,
  };
  if (session) await session.tokens.get();
  const server = await startPageServer(backend);
  const h: Harness = { ...server, server: server.app.server, log, backend, close: () => server.app.close() };
  open.push(h);
  return h;
}

async function call(h: Harness, method: "GET" | "POST", path: string, headers: Record<string, string> = {}) {
  const res = await request(`${h.url}${path}`, {
    method,
    headers: method === "POST" ? { "content-type": "application/json", ...headers } : headers,
    body: method === "POST" ? "{}" : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

const PAGE = { "x-copilot-gateway-page": "1" };

describe("page assets", () => {
  it("serves the page, its script and stylesheet with their content types, CSP and revalidation", async () => {
    const h = await harness();
    const page = await call(h, "GET", "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(page.text).toContain('<script type="module" src="/ui/app.js"></script>');
    // no CDN: every script and stylesheet comes from the gateway itself
    expect(page.text).not.toMatch(/<(script|link)[^>]*(src|href)="https?:/);

    const script = await call(h, "GET", "/ui/app.js");
    expect(script.status).toBe(200);
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    const css = await call(h, "GET", "/ui/style.css");
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");

    const again = await call(h, "GET", "/ui/app.js", { "if-none-match": String(script.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
  });

  it("serves the page without the API key, so it can ask for it", async () => {
    const h = await harness({ apiKeys: ["sesame"] });
    expect((await call(h, "GET", "/")).status).toBe(200);
  });
});

describe("page API key", () => {
  it("requires the key on every page API when one is set", async () => {
    const h = await harness({ apiKeys: ["sesame", "other-key"] });
    const routes: ["GET" | "POST", string][] = [
      ["GET", "/api/page/state"],
      ["GET", "/api/page/login"],
      ["POST", "/api/page/login"],
      ["POST", "/api/page/login/cancel"],
      ["POST", "/api/page/logout"],
      ["GET", "/api/page/models"],
      ["POST", "/api/page/models/gpt-4.1/enable"],
      ["GET", "/api/page/usage"],
      ["GET", "/api/page/events"],
    ];
    for (const [method, path] of routes) {
      const missing = await call(h, method, path, PAGE);
      expect([method, path, missing.status, missing.json().error.code]).toEqual([
        method,
        path,
        401,
        "api_key_required",
      ]);
      const wrong = await call(h, method, path, { ...PAGE, authorization: "Bearer sesame2" });
      expect([path, wrong.status, wrong.json().error.code]).toEqual([path, 401, "invalid_api_key"]);
    }
    const ok = await call(h, "GET", "/api/page/state", { authorization: "Bearer other-key" });
    expect(ok.status).toBe(200);
    const viaHeader = await call(h, "GET", "/api/page/state", { "x-api-key": "sesame" });
    expect(viaHeader.status).toBe(200);
    expect(ok.headers["cache-control"]).toBe("no-store");
  });

  it("needs no key when the gateway has none", async () => {
    const h = await harness();
    expect((await call(h, "GET", "/api/page/state")).status).toBe(200);
  });
});

describe("page API origin checks", () => {
  it("refuses state changes from another origin, even with the page header and the key", async () => {
    const h = await harness({ apiKeys: ["sesame"] });
    const auth = { ...PAGE, authorization: "Bearer sesame" };
    for (const origin of ["http://evil.example", "http://127.0.0.1:1", "null", "file://"]) {
      const res = await call(h, "POST", "/api/page/logout", { ...auth, origin });
      expect([origin, res.status, res.json().error.code]).toEqual([origin, 403, "cross_origin_refused"]);
    }
    const site = await call(h, "POST", "/api/page/logout", { ...auth, "sec-fetch-site": "cross-site" });
    expect(site.json().error.code).toBe("cross_origin_refused");
    const sameSite = await call(h, "POST", "/api/page/logout", { ...auth, "sec-fetch-site": "same-site" });
    expect(sameSite.status).toBe(403);
  });

  it("refuses reads from another origin too", async () => {
    const h = await harness();
    const res = await call(h, "GET", "/api/page/state", { origin: "http://evil.example" });
    expect(res.status).toBe(403);
    expect(res.json().error.code).toBe("cross_origin_refused");
  });

  it("requires the page header on state changes", async () => {
    const h = await harness({ signedIn: true });
    const origin = `http://${h.host}`;
    for (const path of [
      "/api/page/login",
      "/api/page/login/cancel",
      "/api/page/logout",
      "/api/page/models/x/enable",
    ]) {
      const res = await call(h, "POST", path, { origin });
      expect([path, res.status, res.json().error.code]).toEqual([path, 403, "page_header_missing"]);
    }
    expect(h.backend.current).toBeDefined(); // the refused logout did nothing
    const ok = await call(h, "POST", "/api/page/logout", {
      ...PAGE,
      origin,
      "sec-fetch-site": "same-origin",
    });
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({ signedIn: false, note: null });
    expect(h.backend.current).toBeUndefined();
  });

  it("lets same-origin reads through without the page header", async () => {
    const h = await harness();
    const res = await call(h, "GET", "/api/page/state", { origin: `http://${h.host}` });
    expect(res.status).toBe(200);
  });
});

describe("page state", () => {
  it("reports signed-out state with the host, an idle sign-in and the snippets", async () => {
    const h = await harness({ apiKeys: ["sesame"] });
    const state = (
      await call(h, "GET", "/api/page/state", { authorization: "Bearer sesame" })
    ).json() as PageStateView;
    expect(state.signedIn).toBe(false);
    expect(state.host).toBe("github.com");
    expect(state.signIn).toEqual({ status: "idle" });
    expect(state.account).toBeNull();
    const base = state.snippets.find((s) => s.id === "base-url");
    expect(base?.text).toBe(`http://${h.host}/v1`);
    const python = state.snippets.find((s) => s.id === "python")?.text;
    expect(python).toBe(
      `from openai import OpenAI\nclient = OpenAI(base_url="http://${h.host}/v1", api_key="YOUR_GATEWAY_API_KEY")`,
    );
    expect(state.snippets.find((s) => s.id === "claude-code")?.text).toBe(
      `export ANTHROPIC_BASE_URL='http://${h.host}'\nexport ANTHROPIC_AUTH_TOKEN='YOUR_GATEWAY_API_KEY'`,
    );
    // the key itself is never echoed into a snippet
    expect(JSON.stringify(state)).not.toContain("sesame");
  });

  it("shows the token source and refresh countdown when signed in, never a token", async () => {
    const h = await harness({ signedIn: true });
    const res = await call(h, "GET", "/api/page/state");
    const state = res.json() as PageStateView;
    expect(state.signedIn).toBe(true);
    expect(state.account).toEqual({
      tokenSource: "the stored login",
      mode: "device-login",
      modeDescription: "device login",
      billedTo: "user",
      billing: "the user's Copilot seat",
    });
    expect(state.copilotToken?.ready).toBe(true);
    expect(state.copilotToken?.apiUrl).toBe(fake.url);
    expect(state.copilotToken?.refreshInMs).toBeGreaterThan(0);
    expect(state.copilotToken?.refreshInMs).toBeLessThanOrEqual(1440_000);
    const copilotToken = [...fake.issued.keys()].at(-1)!;
    expect(res.text).not.toContain(GITHUB_TOKEN);
    expect(res.text).not.toContain(copilotToken);
    expect(res.text).not.toContain("tid=");
  });

  it("answers 409 not_signed_in for account APIs while nobody is signed in", async () => {
    const h = await harness();
    for (const path of ["/api/page/usage", "/api/page/models"]) {
      const res = await call(h, "GET", path);
      expect([path, res.status, res.json().error.code]).toEqual([path, 409, "not_signed_in"]);
    }
  });

  it("answers unknown page APIs with a JSON 404", async () => {
    const h = await harness();
    const res = await call(h, "GET", "/api/page/nope");
    expect(res.status).toBe(404);
    expect(res.json().error.code).toBe("not_found");
  });
});

function logEntry(id: string): RequestLogView {
  return {
    id,
    time: "2026-11-25T01:00:00.000Z",
    method: "POST",
    route: "/v1/chat/completions",
    model: "gpt-4.1",
    status: 200,
    latencyMs: 12,
    inputTokens: 10,
    outputTokens: 5,
    error: null,
    stream: false,
    upstreamStatus: 200,
    requestId: "req-1",
    firstByteMs: 10,
    cachedTokens: 0,
  };
}

describe("page events", () => {
  it("streams a snapshot of the log, then each new request, and unsubscribes when the page goes", async () => {
    const h = await harness({ apiKeys: ["sesame"] });
    h.log.push(logEntry("r1"));
    const abort = new AbortController();
    const res = await request(`${h.url}/api/page/events`, {
      headers: { authorization: "Bearer sesame" },
      signal: abort.signal,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    const chunks: string[] = [];
    const reader = (async () => {
      for await (const chunk of res.body) chunks.push(chunk.toString());
    })().catch(() => undefined);
    // Wait for whole events (a frame may arrive in several chunks), polling rather than sleeping.
    const waitForEvent = async (needle: string) => {
      const text = () => chunks.join("");
      await waitFor(() => text().includes(needle) && text().endsWith("\n\n"), `an event with ${needle}`);
      return text();
    };
    const first = await waitForEvent("event: snapshot");
    expect(first).toBe(`event: snapshot\ndata: ${JSON.stringify({ entries: [logEntry("r1")] })}\n\n`);
    expect(h.log.listenerCount).toBe(1);
    h.log.push(logEntry("r2"));
    const all = await waitForEvent("event: request");
    expect(all.slice(first.length)).toBe(`event: request\ndata: ${JSON.stringify(logEntry("r2"))}\n\n`);
    abort.abort();
    await reader;
    await waitFor(() => h.log.listenerCount === 0, "the stream to unsubscribe");
    expect(h.log.listenerCount).toBe(0);
  });

  it("starts each stream with a snapshot of only the last 50 rows", async () => {
    const h = await harness();
    for (let i = 1; i <= 120; i++) h.log.push(logEntry(`r${i}`));
    const res = await request(`${h.url}/api/page/events`);
    let text = "";
    for await (const chunk of res.body) {
      text += chunk.toString();
      if (text.includes("\n\n")) break;
    }
    const snapshot = JSON.parse(text.split("\n")[1]?.slice("data: ".length) ?? "null") as {
      entries: RequestLogView[];
    };
    expect(snapshot.entries.map((e) => e.id)).toEqual(Array.from({ length: 50 }, (_, i) => `r${71 + i}`));
  });

  it("sends every tab the rows of a tick together, listening to the log once however many tabs are open", async () => {
    const h = await harness();
    h.log.push(logEntry("r1"));
    const first = await eventStream(h);
    h.log.push(logEntry("r2"));
    h.log.push(logEntry("r3"));
    // A tab that opens mid-tick: its snapshot stops before the rows its first batch will carry (no duplicates).
    const second = await eventStream(h);
    expect(h.log.listenerCount).toBe(1);
    const batch = `${requestEvent("r2")}${requestEvent("r3")}`;
    await waitFor(() => first.text().endsWith(batch) && second.text().endsWith(batch), "the tick's batch");
    expect(first.text()).toBe(`${snapshotEvent(["r1"])}${batch}`);
    expect(second.text()).toBe(`${snapshotEvent(["r1"])}${batch}`);
    first.close();
    second.close();
    await waitFor(() => h.log.listenerCount === 0, "the log to lose its listener with the last tab");
  });

  it("sends at most 50 rows a tick, the newest, after a count of the rows it skipped", async () => {
    const h = await harness();
    const tab = await eventStream(h);
    for (let i = 1; i <= 120; i++) h.log.push(logEntry(`r${i}`));
    const rows = Array.from({ length: 50 }, (_, i) => requestEvent(`r${71 + i}`)).join("");
    const batch = `event: skipped\ndata: {"rows":70}\n\n${rows}`;
    await waitFor(() => tab.text().endsWith(batch), "the capped batch", 10_000);
    expect(tab.text()).toBe(`${snapshotEvent([])}${batch}`);
    tab.close();
  });

  it("refuses a stream beyond 128 open ones with a 503 in the page's shape", async () => {
    const h = await harness();
    // Each resolves once the gateway has sent its snapshot, i.e. once it counts as open.
    const sockets = await Promise.all(Array.from({ length: 128 }, () => rawEventStream(h)));
    try {
      const res = await request(`${h.url}/api/page/events`);
      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe(
        "too_many_subscribers",
      );
    } finally {
      for (const s of sockets) s.destroy();
    }
    await waitFor(() => h.log.listenerCount === 0, "the streams to close");
    const again = await request(`${h.url}/api/page/events`, { signal: AbortSignal.timeout(5_000) });
    expect(again.statusCode).toBe(200);
    again.body.destroy();
  });

  it("drops a subscriber that stops reading, and keeps one that reads", async () => {
    const h = await harness();
    const slow = await rawEventStream(h);
    slow.pause();
    const reading = await eventStream(h);
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        h.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    expect(await connections()).toBe(2);
    // Ticks of 40 rows of ~16 KB: the slow one's socket buffers fill, then its unsent bytes pass the 256 KB bound.
    const big = "x".repeat(16 * 1024);
    let pushed = 0;
    while ((await connections()) === 2 && pushed < 4_000) {
      for (let i = 0; i < 40; i++) h.log.push({ ...logEntry(`r${pushed++}`), requestId: big });
      const expected = requestEvent(`r${pushed - 1}`, big);
      await waitFor(() => reading.text().endsWith(expected), "the reading tab to get the tick", 10_000);
    }
    expect(await connections()).toBe(1);
    const ids = [...reading.text().matchAll(/"id":"(r\d+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(Array.from({ length: pushed }, (_, i) => `r${i}`));
    slow.destroy();
    reading.close();
  });

  it("ends open event streams when the gateway closes", async () => {
    const h = await harness();
    const res = await request(`${h.url}/api/page/events`);
    const done = res.body.text();
    open.splice(open.indexOf(h), 1);
    await h.close();
    expect(await done).toContain("event: snapshot");
  });
});

function requestEvent(id: string, requestId?: string): string {
  const entry = requestId === undefined ? logEntry(id) : { ...logEntry(id), requestId };
  return `event: request\ndata: ${JSON.stringify(entry)}\n\n`;
}

function snapshotEvent(ids: string[]): string {
  return `event: snapshot\ndata: ${JSON.stringify({ entries: ids.map(logEntry) })}\n\n`;
}

/** A live-log stream read to the end, resolved once its snapshot arrived. */
async function eventStream(h: Harness): Promise<{ text(): string; close(): void }> {
  const abort = new AbortController();
  const res = await request(`${h.url}/api/page/events`, { signal: abort.signal });
  expect(res.statusCode).toBe(200);
  let text = "";
  res.body.setEncoding("utf8");
  res.body.on("data", (chunk: string) => {
    text += chunk;
  });
  res.body.on("error", () => undefined);
  await waitFor(() => text.includes("\n\n"), "the snapshot");
  return { text: () => text, close: () => abort.abort() };
}

/** A live-log stream opened over a bare socket, which the test can stop reading (pause) like a frozen tab. */
async function rawEventStream(h: Harness): Promise<Socket> {
  const url = new URL(h.url);
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, "connect");
  socket.write(`GET /api/page/events HTTP/1.1\r\nHost: ${h.host}\r\n\r\n`);
  await once(socket, "data");
  return socket;
}
