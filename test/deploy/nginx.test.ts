import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { Nginx } from "../services/nginx.js";
import { RedisServer } from "../services/redis-server.js";
import { type Replica, startReplica, stopReplica } from "./replicas.js";

const CA = readFileSync(fileURLToPath(new URL("../copilot/tls/test-server.pem", import.meta.url)));

/** docs/deploy/nginx.conf, run by Debian's nginx, terminating TLS in front of two replicas on one Redis. */
describe("nginx in front of two replicas (docs/deploy/nginx.conf)", () => {
  let fake: FakeUpstream;
  let redis: RedisServer;
  let home: string;
  let replicas: Replica[] = [];
  let nginx: Nginx;
  const tls = new Agent({ connect: { ca: CA } });

  beforeAll(async () => {
    fake = await startFakeUpstream();
    fake.state.people = [
      {
        login: "alice",
        id: 301,
        token: "gho_alice20000000000000000000000000000001",
        orgs: ["acme"],
        seat: true,
      },
    ];
    redis = await RedisServer.start();
    home = mkdtempSync(join(tmpdir(), "cgw-nginx-"));
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      COPILOT_GATEWAY_SECRET: Buffer.alloc(32, 9).toString("base64"),
      ...fake.env(),
    };
    replicas = await Promise.all(
      ["a", "b"].map((name) =>
        startReplica({ ...env, COPILOT_GATEWAY_HOME: join(home, name) }, [
          "--redis",
          redis.url,
          "--trust-proxy",
        ]),
      ),
    );
    nginx = await Nginx.start(replicas.map((r) => Number(new URL(r.url).port)));
  }, 60_000);

  afterAll(async () => {
    await nginx?.dispose();
    await Promise.all(replicas.map((r) => stopReplica(r)));
    await redis?.dispose();
    await fake?.stop();
    await tls.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("signs in and streams a chat over HTTPS through nginx, chunk by chunk, served by both replicas", async () => {
    const fetchTls = (url: string, init: RequestInit = {}) =>
      fetch(url, { ...init, dispatcher: tls } as RequestInit);
    const started = (await (
      await fetchTls(`${nginx.url}/team/api/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ via: "connect", name: "through nginx" }),
      })
    ).json()) as { userCode: string; handle: string };
    fake.approveDevice(started.userCode, "alice");
    let key = "";
    while (!key) {
      const polled = (await (
        await fetchTls(`${nginx.url}/team/api/sign-in/poll`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ handle: started.handle }),
        })
      ).json()) as { status: string; key?: string };
      if (polled.status !== "pending") key = String(polled.key);
    }

    const openai = new OpenAI({
      baseURL: `${nginx.url}/v1`,
      apiKey: key,
      maxRetries: 0,
      fetchOptions: { dispatcher: tls } as never,
    });
    fake.state.copilot.chunkDelayMs = 150;
    fake.state.copilot.streamChunks = 6;
    try {
      for (let i = 0; i < 4; i++) {
        const arrivals: number[] = [];
        let text = "";
        const stream = await openai.chat.completions.create({
          model: "gpt-4.1",
          messages: [{ role: "user", content: "hello through nginx" }],
          stream: true,
        });
        for await (const chunk of stream) {
          const delta = chunk.choices[0]?.delta.content;
          if (delta) {
            arrivals.push(performance.now());
            text += delta;
          }
        }
        expect(text.length).toBeGreaterThan(0);
        expect(arrivals.length).toBeGreaterThanOrEqual(5);
        // proxy_buffering off: chunks arrive as Copilot sends them (150 ms apart), not all at once at the end.
        expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(400);
      }
    } finally {
      fake.state.copilot.chunkDelayMs = 0;
      fake.state.copilot.streamChunks = 5;
    }
    // nginx spread the requests over both replicas.
    for (const replica of replicas) expect(replica.output.join("")).toContain("/v1/chat/completions");
    expect(nginx.accessLog()).toContain('"POST /v1/chat/completions HTTP/1.1" 200');
  }, 60_000);
});
