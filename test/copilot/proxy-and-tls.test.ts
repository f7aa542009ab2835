import { readFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, connect } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";
import { runCli } from "./helpers.js";

const fake = new FakeUpstream();
let proxy: Server;
let proxyUrl = "";
/** What the proxy was asked for: `CONNECT host:port` or `GET http://…`. */
const proxied: string[] = [];

/** A tiny forward proxy: CONNECT tunnels and absolute-URI HTTP requests, as corporate proxies do. */
function startProxy(): Promise<Server> {
  const server = createHttpServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? "");
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  server.on("connect", (req, socket, head) => {
    proxied.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  await fake.start();
  proxy = await startProxy();
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  proxied.length = 0;
});

describe("proxies (spec §7)", () => {
  it("sends every request through HTTPS_PROXY / HTTP_PROXY", async () => {
    const { code, stdout } = await runCli(fake, ["chat", "via proxy"], {
      env: { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl },
    });
    expect({ code, stdout }).toEqual({ code: 0, stdout: "echo: via proxy\n" });
    const fakeHost = new URL(fake.url).host;
    // undici tunnels through CONNECT even for http:// targets; the token exchange and the chat both pass.
    expect(proxied.length).toBeGreaterThan(0);
    expect(proxied.every((line) => line.includes(fakeHost))).toBe(true);
  });

  it("bypasses the proxy for hosts in NO_PROXY", async () => {
    const { code } = await runCli(fake, ["models"], {
      env: { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, NO_PROXY: "127.0.0.1" },
    });
    expect(code).toBe(0);
    expect(proxied).toEqual([]);
  });

  it("names the proxy settings when the proxy cannot be reached", async () => {
    const { code, stderr } = await runCli(fake, ["models"], {
      env: { HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9" },
    });
    expect(code).toBe(6);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^error: Cannot reach .*HTTPS_PROXY \/ NO_PROXY/);
  });
});

describe("--ca-file for TLS-inspecting proxies", () => {
  let tls: Server;
  let tlsUrl = "";
  let certFile = "";
  let otherCert = "";

  beforeAll(async () => {
    // Committed test certificates (see tls/README.md), so CI needs no openssl.
    certFile = fileURLToPath(new URL("./tls/test-server.pem", import.meta.url));
    const keyFile = fileURLToPath(new URL("./tls/test-server.key", import.meta.url));
    otherCert = fileURLToPath(new URL("./tls/unrelated-ca.pem", import.meta.url));
    // An HTTPS front for the fake with a certificate no public CA signed, like an inspecting proxy's.
    tls = createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
      const target = new URL(fake.url);
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    tls.closeAllConnections();
    await new Promise((r) => tls.close(r));
  });

  const tlsEnv = () => ({
    COPILOT_GATEWAY_GITHUB_URL: tlsUrl,
    COPILOT_GATEWAY_GITHUB_API_URL: tlsUrl,
    COPILOT_GATEWAY_COPILOT_API_URL: tlsUrl,
  });

  it("fails with a hint at --ca-file when the certificate is not trusted", async () => {
    const { code, stderr } = await runCli(fake, ["models"], { env: tlsEnv() });
    expect(code).toBe(6);
    expect(stderr).toMatch(
      /^error: Cannot reach 127\.0\.0\.1:\d+ .*pass its CA with --ca-file or NODE_EXTRA_CA_CERTS\.\n$/,
    );
  });

  it("trusts the CA given with --ca-file", async () => {
    const { code, stdout, stderr } = await runCli(fake, ["--ca-file", certFile, "chat", "over tls"], {
      env: tlsEnv(),
    });
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "echo: over tls\n", stderr: "" });
  });

  it("trusts NODE_EXTRA_CA_CERTS, alone and next to another --ca-file", async () => {
    const alone = await runCli(fake, ["chat", "extra ca"], {
      env: { ...tlsEnv(), NODE_EXTRA_CA_CERTS: certFile },
    });
    expect(alone).toMatchObject({ code: 0, stdout: "echo: extra ca\n" });
    const both = await runCli(fake, ["--ca-file", otherCert, "chat", "both"], {
      env: { ...tlsEnv(), NODE_EXTRA_CA_CERTS: certFile },
    });
    expect(both).toMatchObject({ code: 0, stdout: "echo: both\n" });
  });

  it("says so when the CA file cannot be read (exit 2)", async () => {
    const { code, stderr } = await runCli(fake, ["--ca-file", "/nonexistent.pem", "models"], {
      env: tlsEnv(),
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: Cannot read the CA file \/nonexistent\.pem: /);
  });
});
