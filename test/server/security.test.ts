import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors.js";
import { assertLoopbackBound, createGatewayServer } from "../../src/server/create-server.js";
import { DEFAULT_GATEWAY_OPTIONS, resolveGatewayOptions } from "../../src/server/options.js";
import { createGatewayRuntime } from "../../src/server/runtime.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway, waitFor } from "./harness.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

/** A request with a chosen Host header (fetch does not let us set it). */
function getWithHost(url: string, path: string, host: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("API keys", () => {
  let gw: Harness;
  beforeAll(async () => {
    gw = await startGateway(fake, {
      apiKeys: resolveGatewayOptions({ apiKey: ["k-one,k-two", "k-three"] }, {}).apiKeys,
    });
  });
  afterAll(() => gw.close());

  it("accepts each configured key as a Bearer token", async () => {
    for (const key of ["k-one", "k-two", "k-three"]) {
      const page = await gw.client({ apiKey: key }).models.list();
      expect(page.data.length).toBeGreaterThan(0);
    }
  });

  it("accepts the key as x-api-key", async () => {
    const res = await fetch(`${gw.url}/v1/models`, { headers: { "x-api-key": "k-two" } });
    expect(res.status).toBe(200);
  });

  it("refuses a wrong or missing key with 401 in OpenAI's shape", async () => {
    const error = await gw
      .client({ apiKey: "k-wrong" })
      .models.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("invalid_api_key");
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: { type: "authentication_error", code: "invalid_api_key" },
    });
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });

  it("leaves the health checks open", async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });

  it("reads keys from COPILOT_GATEWAY_API_KEY, comma-separated, merged with --api-key", () => {
    const options = resolveGatewayOptions({ apiKey: ["a"] }, { COPILOT_GATEWAY_API_KEY: "b, c,a" });
    expect(options.apiKeys).toEqual(["a", "b", "c"]);
  });
});

describe("binding and Host check", () => {
  it("refuses to listen beyond loopback without an API key", async () => {
    const runtime = createGatewayRuntime({ writeLog: () => {} });
    await expect(
      createGatewayServer(runtime, { ...DEFAULT_GATEWAY_OPTIONS, host: "0.0.0.0", port: 0 }),
    ).rejects.toMatchObject({ code: "unsafe_binding" });
  });

  it("checks the addresses really bound too: a loopback name that resolves elsewhere is refused", () => {
    const noKey = { host: "localhost", apiKeys: [] };
    expect(() => assertLoopbackBound([{ address: "127.0.0.1" }, { address: "::1" }], noKey)).not.toThrow();
    const refused = (() => {
      try {
        assertLoopbackBound([{ address: "127.0.0.1" }, { address: "192.168.1.20" }], noKey);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).code).toBe("unsafe_binding");
    expect((refused as GatewayError).exitCode).toBe(2);
    expect((refused as GatewayError).message).toMatch(
      /^Refusing to listen on localhost \(192\.168\.1\.20\) without an API key/,
    );
    expect(() =>
      assertLoopbackBound([{ address: "192.168.1.20" }], { host: "localhost", apiKeys: ["k"] }),
    ).not.toThrow();
  });

  it("listens beyond loopback when a key is set, without the Host check", async () => {
    const gw = await startGateway(fake, { host: "0.0.0.0", apiKeys: ["secret"] });
    try {
      const port = new URL(gw.url).port;
      const res = await getWithHost(`http://127.0.0.1:${port}`, "/healthz", "gateway.internal.example");
      expect(res.status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it("refuses non-loopback Host names while bound to loopback (DNS rebinding)", async () => {
    const gw = await startGateway(fake);
    try {
      const refused = await getWithHost(gw.url, "/v1/models", "evil.example:4141");
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "host_not_allowed" } });
      for (const host of ["localhost:4141", "127.0.0.1:4141", "[::1]:4141", "app.localhost"]) {
        expect((await getWithHost(gw.url, "/healthz", host)).status).toBe(200);
      }
    } finally {
      await gw.close();
    }
  });
});

describe("CORS", () => {
  it("is off by default", async () => {
    const gw = await startGateway(fake);
    try {
      const res = await fetch(`${gw.url}/v1/models`, { headers: { origin: "http://localhost:3000" } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await gw.close();
    }
  });

  it("allows the --cors origin, preflight included", async () => {
    const gw = await startGateway(fake, { corsOrigins: ["http://localhost:3000"], apiKeys: ["k"] });
    try {
      const preflight = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "OPTIONS",
        headers: {
          origin: "http://localhost:3000",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type,x-stainless-os",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
      expect(preflight.headers.get("access-control-allow-headers")).toContain("x-stainless-os");
      const res = await fetch(`${gw.url}/v1/models`, {
        headers: { origin: "http://localhost:3000", authorization: "Bearer k" },
      });
      expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
      const stream = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          origin: "http://localhost:3000",
          authorization: "Bearer k",
          "content-type": "application/json",
        },
        body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "s" }], stream: true }),
      });
      expect(stream.headers.get("content-type")).toContain("text/event-stream");
      expect(stream.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
      expect(await stream.text()).toContain("data: [DONE]");
      const anthropicStream = await fetch(`${gw.url}/v1/messages`, {
        method: "POST",
        headers: { origin: "http://localhost:3000", "x-api-key": "k", "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-sonnet-4.5",
          max_tokens: 64,
          messages: [{ role: "user", content: "s" }],
          stream: true,
        }),
      });
      expect(anthropicStream.headers.get("content-type")).toContain("text/event-stream");
      expect(anthropicStream.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
      expect(await anthropicStream.text()).toContain("event: message_stop");
      const other = await fetch(`${gw.url}/v1/models`, {
        headers: { origin: "http://evil.example", authorization: "Bearer k" },
      });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await gw.close();
    }
  });
});

describe("logs", () => {
  it("write one line per request and never a token", async () => {
    const gw = await startGateway(fake, { verbose: true });
    try {
      await gw
        .client()
        .chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] });
      await fetch(`${gw.url}/v1/models`, {
        headers: { authorization: "Bearer gho_abcdefghijklmnopqrstuvwxyz012345" },
      });
      await waitFor(() => gw.logLines.length >= 2, "two log lines");
      expect(gw.logLines).toHaveLength(2);
      expect(gw.logLines[0]).toMatch(/POST \/v1\/chat\/completions gpt-4\.1 200 [\d.]+ms tokens=\d+\/\d+/);
      const all = gw.logLines.join("\n");
      expect(all).not.toMatch(/gho_[A-Za-z0-9]{8}/);
      expect(all).not.toContain("tid=fake");
      const entries = gw.runtime.log.recent();
      expect(entries.map((e) => e.path)).toEqual(["/v1/chat/completions", "/v1/models"]);
      expect(entries[0]).toMatchObject({ model: "gpt-4.1", status: 200, stream: false });
    } finally {
      await gw.close();
    }
  });
});

describe("verbose logs", () => {
  it("add the client address, Copilot's request id, the user agent and the error message, secrets masked", async () => {
    const gw = await startGateway(fake, { verbose: true });
    try {
      fake.state.copilot.failures.push({
        status: 429,
        body: { error: { message: "Rate limit exceeded", code: "user_model_rate_limited" } },
        headers: { "retry-after": "120", "x-request-id": "req_upstream_v" },
        path: "/chat/completions",
      });
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "tool/1.0 gho_abcdefghijklmnopqrstuvwxyz0123",
        },
        body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] }),
      });
      expect(res.status).toBe(429);
      await waitFor(() => gw.logLines.length === 1, "the log line");
      const line = gw.logLines[0] ?? "";
      expect(line).toMatch(/ POST \/v1\/chat\/completions gpt-4\.1 429 [\d.]+ms /);
      expect(line).toContain(" from=127.0.0.1");
      expect(line).toContain(" upstream-id=req_upstream_v");
      expect(line).toContain(' ua="tool/1.0 gho_****"');
      expect(line).toMatch(/ message="[^"]*Rate limit exceeded/);
      expect(line).not.toContain("abcdefghij");
    } finally {
      await gw.close();
    }
  });

  it("are left out without --verbose", async () => {
    const gw = await startGateway(fake);
    try {
      await fetch(`${gw.url}/v1/models/no-such-model`, { headers: { "user-agent": "tool/1.0" } });
      await waitFor(() => gw.logLines.length === 1, "the log line");
      expect(gw.logLines[0]).toMatch(
        / GET \/v1\/models\/no-such-model - 404 [\d.]+ms error=model_not_found$/,
      );
    } finally {
      await gw.close();
    }
  });
});

describe("slow clients", () => {
  it("are cut off when their headers do not arrive in time", async () => {
    const gw = await startGateway(fake, { headersTimeoutMs: 200, timeoutCheckIntervalMs: 50 });
    try {
      const { port } = new URL(gw.url);
      const socket = connect(Number(port), "127.0.0.1");
      let answer = "";
      socket.on("data", (c: Buffer) => {
        answer += c.toString();
      });
      // Half a request line, then nothing: a slowloris client.
      socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      await new Promise((resolve) => socket.once("close", resolve));
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await gw.close();
    }
  });

  it("are cut off when their body does not arrive in time", async () => {
    // Headers within their limit (as in production, below the request limit), then the body stalls.
    const gw = await startGateway(fake, {
      headersTimeoutMs: 200,
      requestTimeoutMs: 300,
      timeoutCheckIntervalMs: 50,
    });
    try {
      const { port } = new URL(gw.url);
      const socket = connect(Number(port), "127.0.0.1");
      let answer = "";
      socket.on("data", (c: Buffer) => {
        answer += c.toString();
      });
      // Whole headers, then a body that stops half-way.
      socket.write(
        'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":',
      );
      await new Promise((resolve) => socket.once("close", resolve));
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
    } finally {
      await gw.close();
    }
  });
});
