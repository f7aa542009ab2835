import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { request as undiciRequest } from "undici";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeTestAppKeys } from "../fake-upstream/app-keys.js";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { startTeamGateway, TEAM_PEOPLE, type TeamHarness } from "./team-harness.js";

/**
 * The team gateway over real HTTP with the official SDKs, in this process (so pools and clocks can be reached):
 * per-person concurrency, --trust-proxy, --public-url, the session pool's bounds and the membership re-check.
 */

let fake: FakeUpstream;
let gw: TeamHarness | undefined;

beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  fake.state.people = TEAM_PEOPLE.map((p) => ({ ...p, orgs: [...p.orgs] }));
});
afterEach(async () => {
  fake.releaseStalls();
  await gw?.close();
  gw = undefined;
});

const openai = (url: string, key: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
const chat = (url: string, key: string) =>
  openai(url, key).chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] });

/** How many times the fake exchanged this person's GitHub token for a Copilot token. */
function exchangesOf(login: string): number {
  const token = TEAM_PEOPLE.find((p) => p.login === login)?.token;
  return fake
    .requestsTo("/copilot_internal/v2/token")
    .filter((r) => r.headers.authorization === `token ${token}`).length;
}

describe("--user-concurrency", () => {
  it("refuses a person's second request while one is open, in the OpenAI and Anthropic shapes; others are served", async () => {
    gw = await startTeamGateway(fake, { team: { userConcurrency: "1" } });
    const alice = await gw.signIn("alice");
    const bob = await gw.signIn("bob");
    // alice's stream is held open at the fake after its first chunk.
    fake.state.copilot.stallAfterChunks = 1;
    const stream = await openai(gw.url, alice).chat.completions.create({
      model: "gpt-4.1",
      stream: true,
      messages: [{ role: "user", content: "a long answer please" }],
    });
    const chunks = stream[Symbol.asyncIterator]();
    expect((await chunks.next()).done).toBe(false);

    const second = await chat(gw.url, alice).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(OpenAI.RateLimitError);
    const err = second as InstanceType<typeof OpenAI.RateLimitError>;
    expect(err.status).toBe(429);
    expect(err.code).toBe("user_concurrency_limited");
    expect(err.headers?.get("retry-after")).toBe("1");
    expect(err.message).toContain(
      "You already have 1 request running on this gateway (its limit per person); retry when one finishes.",
    );

    const viaAnthropic = await new Anthropic({ baseURL: gw.url, apiKey: alice, maxRetries: 0 }).messages
      .create({ model: "claude-sonnet-4.5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(viaAnthropic).toBeInstanceOf(Anthropic.RateLimitError);
    const aErr = viaAnthropic as InstanceType<typeof Anthropic.RateLimitError>;
    expect(aErr.headers?.get("retry-after")).toBe("1");
    expect(aErr.error).toEqual({
      type: "error",
      error: {
        type: "rate_limit_error",
        message:
          "You already have 1 request running on this gateway (its limit per person); retry when one finishes.",
      },
    });

    // bob is another person: his request runs while alice's stream is still open.
    const served = await chat(gw.url, bob);
    expect(served.choices[0]?.message.content).toBeTruthy();

    // Once alice's stream ends, her slot is free again.
    fake.releaseStalls();
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {}
    // The slot is released when the answer closes, which the SDK may see a moment before the server does.
    let again: unknown;
    for (let i = 0; i < 50; i++) {
      again = await chat(gw.url, alice).catch((e: unknown) => e);
      if (!(again instanceof OpenAI.RateLimitError)) break;
    }
    expect((again as { choices?: unknown[] }).choices).toHaveLength(1);
  });
});

describe("--trust-proxy", () => {
  const forwarded = { "x-forwarded-for": "203.0.113.7" };

  it("with it, the client address from X-Forwarded-For is what the audit log and the request log show", async () => {
    gw = await startTeamGateway(fake, { team: { trustProxy: true }, verbose: true });
    const key = await gw.signIn("alice", forwarded);
    await openai(gw.url, key).chat.completions.create(
      { model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] },
      { headers: forwarded },
    );
    const audit = await gw.team.store.listAudit({ limit: 10 });
    expect(audit.find((e) => e.action === "sign_in")?.address).toBe("203.0.113.7");
    expect(audit.find((e) => e.action === "key_created")?.address).toBe("203.0.113.7");
    const line = gw.logLines.find((l) => l.includes("/v1/chat/completions"));
    expect(line).toContain(" from=203.0.113.7");
    expect(line).toContain(" user=alice");
  });

  it("without it, X-Forwarded-For is ignored: the socket's address is shown", async () => {
    gw = await startTeamGateway(fake, { verbose: true });
    const key = await gw.signIn("alice", forwarded);
    await openai(gw.url, key).chat.completions.create(
      { model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] },
      { headers: forwarded },
    );
    const audit = await gw.team.store.listAudit({ limit: 10 });
    expect(audit.find((e) => e.action === "sign_in")?.address).toBe("127.0.0.1");
    const line = gw.logLines.find((l) => l.includes("/v1/chat/completions"));
    expect(line).toContain(" from=127.0.0.1");
    expect(line).not.toContain("203.0.113.7");
  });
});

describe("--public-url", () => {
  it("is the URL people are given, its host is answered, other hosts are refused, and the cookie is Secure", async () => {
    gw = await startTeamGateway(fake, { team: { publicUrl: "https://copilot.example.com/" } });
    const ask = (host: string, path: string) =>
      undiciRequest(`${gw!.url}${path}`, { headers: { host } }).then(async (r) => ({
        status: r.statusCode,
        json: (await r.body.json()) as Record<string, unknown>,
      }));
    const info = await ask("copilot.example.com", "/team/api/info");
    expect(info.status).toBe(200);
    expect(info.json.url).toBe("https://copilot.example.com");
    const evil = await ask("evil.example", "/team/api/info");
    expect(evil.status).toBe(403);
    expect((evil.json.error as { code: string }).code).toBe("host_not_allowed");

    // A page sign-in: its answer names the public URL, and the session cookie is Secure (the public URL is https).
    const started = await fetch(`${gw.url}/team/api/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ via: "page" }),
    }).then((r) => r.json() as Promise<{ userCode: string; handle: string }>);
    fake.approveDevice(started.userCode, "alice");
    let answer: Response;
    for (;;) {
      answer = await fetch(`${gw.url}/team/api/sign-in/poll`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ handle: started.handle }),
      });
      const peek = (await answer.clone().json()) as { status: string };
      if (peek.status !== "pending") break;
    }
    const done = (await answer.json()) as { status: string; url: string; key: string };
    expect(done).toMatchObject({ status: "complete", url: "https://copilot.example.com" });
    expect(answer.headers.get("set-cookie")).toMatch(
      /^__Host-cgw-session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/,
    );

    // A request without a key is told to connect to the public URL, not the bind address.
    const refused = await chat(gw.url, "nope").catch((e: unknown) => e);
    expect((refused as Error).message).toContain(
      "get one with `copilot-gateway connect https://copilot.example.com` or https://copilot.example.com/",
    );
  });
});

describe("per-person Copilot sessions (SessionPool)", () => {
  it("over the cap drops the least recently used person's session, rebuilt on their next request; idle ones are swept", async () => {
    let clock = Date.now();
    gw = await startTeamGateway(fake, { deps: { maxSessions: 2, idleMs: 60_000, now: () => clock } });
    const keys: Record<string, string> = {};
    for (const login of ["alice", "bob", "carol"]) keys[login] = await gw.signIn(login);
    // Each sign-in exchanged once to check the seat; count from here.
    const base = { alice: exchangesOf("alice"), bob: exchangesOf("bob"), carol: exchangesOf("carol") };
    const used = () => ({
      alice: exchangesOf("alice") - base.alice,
      bob: exchangesOf("bob") - base.bob,
      carol: exchangesOf("carol") - base.carol,
    });
    const pool = gw.team.pool;

    await chat(gw.url, keys.alice!);
    await chat(gw.url, keys.bob!);
    await chat(gw.url, keys.alice!); // alice is now the most recently used
    expect(pool.size).toBe(2);
    await chat(gw.url, keys.carol!); // a third person: bob, least recently used, is dropped
    expect([pool.has("alice"), pool.has("bob"), pool.has("carol")]).toEqual([true, false, true]);
    expect(used()).toEqual({ alice: 1, bob: 1, carol: 1 });

    await chat(gw.url, keys.bob!); // rebuilt: a new session exchanges again; alice is now the oldest and dropped
    expect([pool.has("alice"), pool.has("bob"), pool.has("carol")]).toEqual([false, true, true]);
    expect(used()).toEqual({ alice: 1, bob: 2, carol: 1 });

    // Idle eviction: nothing is swept before the idle time, everything after it.
    clock += 60_000;
    pool.sweep();
    expect(pool.size).toBe(2);
    clock += 1;
    pool.sweep();
    expect(pool.size).toBe(0);
    await chat(gw.url, keys.carol!);
    expect(used()).toEqual({ alice: 1, bob: 2, carol: 2 });
  });
});

describe("membership re-check at token refresh", () => {
  it("a person removed from the allowed organisation is refused at their next refresh; another is unaffected", async () => {
    gw = await startTeamGateway(fake);
    const alice = await gw.signIn("alice");
    const carol = await gw.signIn("carol");
    await chat(gw.url, alice);
    await chat(gw.url, carol);

    // At GitHub, alice leaves acme; then Copilot's tokens expire, so each person's next request refreshes theirs.
    fake.state.people.find((p) => p.login === "alice")!.orgs = ["elsewhere"];
    fake.expireCopilotTokens();
    const message =
      "alice is not a member of acme, which this gateway is limited to; ask an organisation owner to add you, then sign in again.";

    const refused = await chat(gw.url, alice).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((refused as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe("not_in_allowed_org");
    expect((refused as Error).message).toBe(`403 ${message}`);

    const served = await chat(gw.url, carol);
    expect(served.choices[0]?.message.content).toBeTruthy();

    // Later requests are refused from the stored organisations, before any exchange.
    const exchanges = exchangesOf("alice");
    const again = await new Anthropic({ baseURL: gw.url, apiKey: alice, maxRetries: 0 }).messages
      .create({ model: "claude-sonnet-4.5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((again as InstanceType<typeof Anthropic.PermissionDeniedError>).error).toEqual({
      type: "error",
      error: { type: "permission_error", message },
    });
    expect(exchangesOf("alice")).toBe(exchanges);

    expect((await gw.team.store.getUser("alice"))?.orgs).toEqual(["elsewhere"]);
    const lost = (await gw.team.store.listAudit({ limit: 20 })).filter((e) => e.action === "membership_lost");
    expect(lost.map((e) => [e.actor, e.subject, e.detail])).toEqual([
      ["gateway", "alice", "no longer a member of acme"],
    ]);
    expect(gw.warnings).toContain("alice is no longer a member of acme; their requests are refused.");
  });
});

describe("membership re-check with --billing org", () => {
  it("with no person's token to refresh, membership is checked on first use and again each refresh period", async () => {
    const keys = makeTestAppKeys();
    fake.state.app.publicKey = keys.publicKey;
    let clock = Date.now();
    gw = await startTeamGateway(fake, { appPrivateKeyFile: keys.pemFile, deps: { now: () => clock } });
    const alice = await gw.signIn("alice");
    const carol = await gw.signIn("carol");
    const orgChecks = () =>
      fake
        .requestsTo("/user/orgs")
        .filter((r) => r.headers.authorization === `token ${TEAM_PEOPLE[0]!.token}`).length;
    const atSignIn = orgChecks();
    await chat(gw.url, alice);
    await chat(gw.url, alice);
    expect(orgChecks() - atSignIn).toBe(1); // first use on this replica, not every request

    fake.state.people.find((p) => p.login === "alice")!.orgs = ["elsewhere"];
    clock += 25 * 60_000 - 1;
    await chat(gw.url, alice); // still inside the period: not checked, served
    clock += 1;
    const refused = await chat(gw.url, alice).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((refused as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe("not_in_allowed_org");
    expect(orgChecks() - atSignIn).toBe(2);
    const served = await chat(gw.url, carol);
    expect(served.choices[0]?.message.content).toBeTruthy();
    // Every request still ran on the App's token, never on a person's.
    for (const r of fake.requestsTo("/chat/completions")) {
      const bearer = /^Bearer (.+)$/.exec(String(r.headers.authorization))?.[1] ?? "";
      expect(fake.copilotTokenSources.get(bearer)).toMatch(/^ghs_/);
    }
  });
});
