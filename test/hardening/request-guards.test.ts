import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveSettings } from "../../src/config/settings.js";
import { webPageRoutes } from "../../src/server/routes/page/index.js";
import { MAX_JSON_DEPTH } from "../../src/util/json-depth.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway } from "../server/harness.js";

const fake = new FakeUpstream();
let gw: Harness;
let home: string;

beforeAll(async () => {
  await fake.start();
  home = mkdtempSync(join(tmpdir(), "cg-guards-"));
  const env = { ...fake.env(), COPILOT_GATEWAY_HOME: home };
  gw = await startGateway(fake, { routes: [webPageRoutes(resolveSettings({}, env), env)] });
});
afterAll(async () => {
  await gw.close();
  await fake.stop();
  rmSync(home, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

/** Upstream calls that would cost quota (the catalogue and token exchange do not). */
const billed = () =>
  fake.requests.filter((r) => /^\/(chat\/completions|responses|embeddings|v1\/messages)$/.test(r.path));

/** Send raw bytes and return the whole answer (for what fetch will not send: two Host headers, absolute targets). */
function rawRequest(url: string, text: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    let out = "";
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(text));
    socket.on("data", (d: Buffer) => {
      out += d.toString();
    });
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}

const CHAT = JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] });

describe("cross-site browser requests", () => {
  it("refuses the issue's curl repro (text/plain from another origin) without calling Copilot", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
        "content-type": "text/plain",
      },
      body: CHAT,
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: {
        message:
          "Refused a browser request from the origin https://evil.example: web pages may not use this gateway (a page you visit could spend your Copilot quota). To let a web app call it, start the gateway with --cors <its origin>.",
        type: "permission_error",
        param: null,
        code: "cross_site_refused",
      },
    });
    expect(billed()).toEqual([]);
  });

  it("refuses on every API route, in the route's own error shape", async () => {
    const origin = { origin: "http://127.0.0.1:1" };
    for (const path of ["/v1/chat/completions", "/chat/completions", "/v1/responses", "/v1/embeddings"]) {
      const res = await fetch(`${gw.url}${path}`, { method: "POST", headers: origin, body: CHAT });
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe("cross_site_refused");
    }
    for (const path of ["/v1/messages", "/v1/messages/count_tokens", "/messages"]) {
      const res = await fetch(`${gw.url}${path}`, { method: "POST", headers: origin, body: CHAT });
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: { type: string } }).error.type, path).toBe("permission_error");
    }
    const models = await fetch(`${gw.url}/v1/models`, { headers: { "sec-fetch-site": "cross-site" } });
    expect(models.status).toBe(403);
    expect(billed()).toEqual([]);
  });

  it("keeps SDKs, curl and the gateway's own origin working", async () => {
    const chat = await gw.client().chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(chat.choices[0]?.message.content).toBeTruthy();
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: "unused", maxRetries: 0 });
    const message = await anthropic.messages.create({
      model: "claude-sonnet-4.5",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(message.type).toBe("message");
    const curlLike = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: CHAT,
    });
    expect(curlLike.status).toBe(200);
    const own = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { origin: gw.url, "sec-fetch-site": "same-origin", "content-type": "application/json" },
      body: CHAT,
    });
    expect(own.status).toBe(200);
    const typed = await fetch(`${gw.url}/v1/models`, { headers: { "sec-fetch-site": "none" } });
    expect(typed.status).toBe(200);
  });

  it("allows exactly the --cors origins, and every origin with --cors '*'", async () => {
    const listed = await startGateway(fake, { corsOrigins: ["http://localhost:3000"] });
    const any = await startGateway(fake, { corsOrigins: ["*"] });
    try {
      const from = (url: string, origin: string) =>
        fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { origin, "sec-fetch-site": "cross-site", "content-type": "text/plain" },
          body: CHAT,
        });
      expect((await from(listed.url, "http://localhost:3000")).status).toBe(200);
      expect((await from(listed.url, "http://localhost:3001")).status).toBe(403);
      expect((await from(any.url, "https://anything.example")).status).toBe(200);
    } finally {
      await listed.close();
      await any.close();
    }
  });

  it("still opens the page from a link on another site, while its API stays same-origin only", async () => {
    const page = await fetch(`${gw.url}/`, { headers: { "sec-fetch-site": "cross-site" } });
    expect(page.status).toBe(200);
    const api = await fetch(`${gw.url}/api/page/state`, { headers: { origin: "https://evil.example" } });
    expect(api.status).toBe(403);
  });
});

describe("JSON nesting limit", () => {
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("refuses a 5,000-level tools[].input_schema with a 400 in Anthropic's shape (was a 500 stack overflow)", async () => {
    let schema = "{}";
    for (let i = 0; i < 5000; i++) schema = `{"type":"object","properties":{"a":${schema}}}`;
    const body = `{"model":"claude-sonnet-4.5","max_tokens":8,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"t","input_schema":${schema}}]}`;
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
      const res = await post(path, body);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toEqual({
        type: "error",
        error: {
          type: "invalid_request_error",
          message: `The request body nests JSON deeper than ${MAX_JSON_DEPTH} levels; flatten it (tool schemas included).`,
        },
      });
    }
    expect(billed()).toEqual([]);
  });

  it("applies the same limit on every OpenAI route and the page API, in their shapes", async () => {
    const deep = `{"model":"gpt-4.1","messages":[],"input":"x","x":${nested(MAX_JSON_DEPTH)}}`;
    for (const path of ["/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/chat/completions"]) {
      const res = await post(path, deep);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe("json_too_deep");
    }
    const page = await post("/api/page/login", deep, { "x-copilot-gateway-page": "1" });
    expect(page.status).toBe(400);
    expect(((await page.json()) as { error: { code: string } }).error.code).toBe("json_too_deep");
    expect(billed()).toEqual([]);
  });

  it("accepts nesting up to the limit, and brackets inside strings do not count", async () => {
    // The body itself is one level; the value under "x" brings it to exactly MAX_JSON_DEPTH.
    const atLimit = `{"model":"gpt-4.1","messages":[{"role":"user","content":"${"[".repeat(5000)}\\"{{"}],"x":${nested(MAX_JSON_DEPTH - 1)}}`;
    const res = await post("/v1/chat/completions", atLimit);
    expect(res.status).toBe(200);
  });
});

describe("request target", () => {
  it("refuses two Host headers, even a loopback name first", async () => {
    const { port } = new URL(gw.url);
    const answer = await rawRequest(
      gw.url,
      `GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.com\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"duplicate_host_header"');
  });

  it("refuses an absolute-form target for another host, and serves one for its own", async () => {
    const { port } = new URL(gw.url);
    const evil = await rawRequest(
      gw.url,
      `GET http://evil.com/v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(evil).toMatch(/^HTTP\/1\.1 400 /);
    expect(evil).toContain('"code":"host_not_allowed"');
    const own = await rawRequest(
      gw.url,
      `GET http://127.0.0.1:${port}/v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(own).toMatch(/^HTTP\/1\.1 200 /);
  });
});
