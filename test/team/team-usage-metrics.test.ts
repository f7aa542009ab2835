import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { utcDay } from "../../src/store/records.js";
import { runCli } from "../cli/cli-run.js";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { waitFor } from "../server/harness.js";
import { startTeamGateway, TEAM_PEOPLE, type TeamHarness } from "./team-harness.js";

/** #14 in team mode: usage per person in the Store (batched, kept across restarts), `team usage`, `/metrics`. */

let fake: FakeUpstream;
let gw: TeamHarness | undefined;
let home: string;

beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  fake.state.people = TEAM_PEOPLE.map((p) => ({ ...p, orgs: [...p.orgs] }));
  home = mkdtempSync(join(tmpdir(), "cg-team-usage-"));
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  rmSync(home, { recursive: true, force: true });
});

async function chat(url: string, key: string) {
  const answer = await new OpenAI({
    baseURL: `${url}/v1`,
    apiKey: key,
    maxRetries: 0,
  }).chat.completions.create({
    model: "gpt-4.1",
    messages: [{ role: "user", content: "how many tokens is this?" }],
  });
  return answer.usage!;
}

/** The request log gets each entry in the same step that counts it, so this waits for the counting. */
const answered = (h: TeamHarness, n: number) =>
  waitFor(
    () => h.runtime.log.recent().filter((e) => e.path === "/v1/chat/completions").length === n,
    `${n} requests`,
  );

describe("usage per person in the Store", () => {
  it("is counted per person, model and day off the request path, survives a restart, and `team usage` prints it", async () => {
    fake.state.copilot.cachedTokens = 2;
    // Nothing is written on its own during the test: only reading (or closing) writes the batch.
    gw = await startTeamGateway(fake, { home, deps: { usageFlushMs: 3_600_000 } });
    const alice = await gw.signIn("alice");
    const bob = await gw.signIn("bob");
    const a1 = await chat(gw.url, alice);
    const a2 = await chat(gw.url, alice);
    const b1 = await chat(gw.url, bob);
    await answered(gw, 3);
    const today = utcDay(Date.now());

    // The requests wrote nothing to the store themselves: the counts wait in memory for one batched write.
    expect(await gw.team.store.usage({ fromDay: today, toDay: today })).toEqual([]);

    const expected = [
      {
        login: "alice",
        model: "gpt-4.1",
        day: today,
        requests: 2,
        inputTokens: a1.prompt_tokens + a2.prompt_tokens,
        outputTokens: a1.completion_tokens + a2.completion_tokens,
        cachedTokens: 4,
      },
      {
        login: "bob",
        model: "gpt-4.1",
        day: today,
        requests: 1,
        inputTokens: b1.prompt_tokens,
        outputTokens: b1.completion_tokens,
        cachedTokens: 2,
      },
    ];
    // The page's view reads through the batch.
    const view = await gw.team.personView("alice");
    expect(view?.usage.totals.today).toEqual({
      ...expected[0],
      model: "all",
      login: undefined,
      day: undefined,
    });
    expect(view?.usage.today).toEqual([
      {
        model: "gpt-4.1",
        requests: 2,
        inputTokens: expected[0]!.inputTokens,
        outputTokens: expected[0]!.outputTokens,
        cachedTokens: 4,
      },
    ]);
    expect((await gw.team.store.listApiKeys("bob"))[0]?.lastUsedAt).toBeGreaterThan(0);

    // A restart keeps it (SQLite file in the state directory).
    await gw.close();
    gw = await startTeamGateway(fake, { home });
    expect(await gw.team.store.usage({ fromDay: today, toDay: today })).toEqual(expected);

    const cli = { HOME: home, COPILOT_GATEWAY_HOME: home };
    const json = await runCli(["team", "usage", "--json"], cli);
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout)).toEqual({
      fromDay: utcDay(Date.now() - 29 * 86_400_000),
      toDay: today,
      rows: expected,
      total: {
        requests: 3,
        inputTokens: expected[0]!.inputTokens + expected[1]!.inputTokens,
        outputTokens: expected[0]!.outputTokens + expected[1]!.outputTokens,
        cachedTokens: 6,
      },
    });
    const text = await runCli(["team", "usage", "--login", "bob", "--days", "1"], cli);
    expect(text.stdout.split("\n").map((l) => l.trimEnd())).toEqual([
      expect.stringMatching(/^DAY \(UTC\) +LOGIN +MODEL +REQUESTS +INPUT +OUTPUT +CACHED$/),
      expect.stringMatching(
        new RegExp(`^${today} +bob +gpt-4\\.1 +1 +${b1.prompt_tokens} +${b1.completion_tokens} +2$`),
      ),
      expect.stringMatching(new RegExp(`^total +1 +${b1.prompt_tokens} +${b1.completion_tokens} +2$`)),
      "",
    ]);
    const nobody = await runCli(["team", "usage", "--login", "carol"], cli);
    expect(nobody.stdout).toBe(
      `carol has used this gateway from ${utcDay(Date.now() - 29 * 86_400_000)} to ${today} (UTC).\n`,
    );
    const bad = await runCli(["team", "usage", "--days", "0"], cli);
    expect(bad.stderr).toContain('--days takes a whole number from 1 to 366, not "0".');
    expect(bad.code).toBe(2);
  });
});

describe("serve --team --metrics", () => {
  const token = "scrape-token-0123456789abcdef";

  it("per-person series labelled by login, moved by exactly what was sent; read with an admin's key or the token", async () => {
    fake.state.copilot.cachedTokens = 1;
    gw = await startTeamGateway(fake, { home, metrics: true, team: { metricsToken: token } });
    const alice = await gw.signIn("alice"); // admin
    const bob = await gw.signIn("bob");
    const a1 = await chat(gw.url, alice);
    const a2 = await chat(gw.url, alice);
    fake.state.copilot.limitHeaders = {
      "x-usage-ratelimit-session": "ent=0&ov=0.0&ovPerm=false&rem=42.5&rst=2026-12-01T10%3A00%3A00Z",
    };
    const b1 = await chat(gw.url, bob);
    await answered(gw, 3);

    const scrape = (bearer?: string) =>
      fetch(`${gw!.url}/metrics`, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
    const anonymous = await scrape();
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { message: string } }).error.message).toBe(
      "/metrics needs a bearer token: send the --metrics-token or an admin's personal key as `Authorization: Bearer <key>`.",
    );
    const notAdmin = await scrape(bob);
    expect(notAdmin.status).toBe(403);
    expect(await scrape(token).then((r) => r.status)).toBe(200);
    const res = await scrape(alice);
    expect(res.status).toBe(200);
    const text = await res.text();

    const series = (name: string, labels: string) =>
      text
        .split("\n")
        .find((l) => l.startsWith(`${name}{${labels}} `))
        ?.split(" ")[1];
    const chatLabels = (login: string) =>
      `route="/v1/chat/completions",model="gpt-4.1",status="200",stream="false",login="${login}"`;
    expect(series("copilot_gateway_requests_total", chatLabels("alice"))).toBe("2");
    expect(series("copilot_gateway_requests_total", chatLabels("bob"))).toBe("1");
    const tokens = (kind: string, login: string) =>
      series("copilot_gateway_tokens_total", `model="gpt-4.1",kind="${kind}",login="${login}"`);
    expect(tokens("input", "alice")).toBe(String(a1.prompt_tokens + a2.prompt_tokens));
    expect(tokens("output", "alice")).toBe(String(a1.completion_tokens + a2.completion_tokens));
    expect(tokens("cached", "alice")).toBe("2");
    expect(tokens("input", "bob")).toBe(String(b1.prompt_tokens));
    expect(tokens("cached", "bob")).toBe("1");
    // One exchange per person's session (the sign-in's seat check is not a session's).
    expect(series("copilot_gateway_token_exchanges_total", "")).toBeUndefined();
    expect(text).toMatch(/^copilot_gateway_token_exchanges_total 2$/m);
    expect(series("copilot_gateway_limit_percent_left", 'limit="session",login="bob"')).toBe("42.5");
    // Scrapes are neither counted nor logged; no key, hash or token appears.
    expect(text).not.toContain("/metrics");
    expect(text).not.toMatch(/cgw_|gho_|key_/);
    for (const k of await gw.team.store.listApiKeys()) expect(text.includes(k.hash)).toBe(false);

    // The page's views: bob's own limits from his answer's headers; alice's answers carried none.
    expect((await gw.team.personView("bob"))?.copilotLimits?.session?.percentLeft).toBe(42.5);
    expect((await gw.team.personView("alice"))?.copilotLimits).toBeUndefined();
    const admin = await gw.team.adminView();
    expect(admin.users.map((u) => [u.login, u.copilotLimits?.session?.percentLeft])).toEqual([
      ["alice", undefined],
      ["bob", 42.5],
    ]);
  });

  it("a person's seat quota comes from copilot_internal/user with their own token, reused for a minute", async () => {
    gw = await startTeamGateway(fake, { home });
    await gw.signIn("alice");
    const before = fake.requestsTo("/copilot_internal/user").length;
    const quota = await gw.team.seatQuota("alice");
    expect(quota).toMatchObject({ plan: "Copilot Business", resetDate: "2026-10-01" });
    expect(quota?.quotas.find((q) => q.id === "premium_interactions")).toEqual({
      id: "premium_interactions",
      entitlement: 300,
      remaining: 93,
      percentRemaining: 31.1666667,
      unlimited: false,
      text: "93.5 of 300 left",
    });
    await gw.team.seatQuota("alice");
    const asked = fake.requestsTo("/copilot_internal/user").slice(before);
    expect(asked.map((r) => r.headers.authorization)).toEqual([`token ${TEAM_PEOPLE[0]!.token}`]);
  });
});
