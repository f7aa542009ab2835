import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CopilotApiError } from "../../src/copilot/api-error.js";
import { limitFilePath, readLimitFile } from "../../src/copilot/limits/limit-file.js";
import { parseLimitHeader, parseLimitHeaders } from "../../src/copilot/limits/limit-snapshot.js";
import { LimitTracker, type LimitWarning } from "../../src/copilot/limits/limit-tracker.js";
import { formatDuration, resetsAtAndIn, resetsIn } from "../../src/copilot/limits/reset-time.js";
import { fakeClient } from "../copilot/helpers.js";
import { fixtureJson } from "../fake-upstream/fixtures.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { limitValue } from "./limit-value.js";

describe("limit headers (spec §10)", () => {
  it("parses the spec's example into percent left and reset time", () => {
    expect(parseLimitHeader("ent=0&ov=0.0&ovPerm=false&rem=99.6&rst=2026-04-22T14%3A30%3A56Z")).toEqual({
      percentLeft: 99.6,
      resetsAt: "2026-04-22T14:30:56.000Z",
      entitlement: 0,
      overageUsed: 0,
      overagePermitted: false,
    });
  });

  it("keeps a quota's entitlement and overage, and leaves out fields that do not parse", () => {
    expect(parseLimitHeader("ent=300&ov=12.5&ovPerm=true&rem=0&rst=soon")).toEqual({
      percentLeft: 0,
      resetsAt: undefined,
      entitlement: 300,
      overageUsed: 12.5,
      overagePermitted: true,
    });
    expect(parseLimitHeader("ent=1&rem=abc")).toBeUndefined();
    expect(parseLimitHeader("rem=140")).toBeUndefined();
    expect(parseLimitHeader("")).toBeUndefined();
  });

  it("reads session, weekly and every quota snapshot of one answer", () => {
    const snapshot = parseLimitHeaders(
      {
        "x-usage-ratelimit-session": limitValue(63, "2026-11-29T21:00:00Z"),
        "x-usage-ratelimit-weekly": limitValue(88, "2026-12-01T14:30:00Z"),
        "x-quota-snapshot-premium_interactions": limitValue(
          40,
          "2026-12-01T00:00:00Z",
          "ent=300&ov=0&ovPerm=true",
        ),
        "x-quota-snapshot-chat": "ent=-1&ov=0&ovPerm=false&rem=100",
        "content-type": "application/json",
      },
      new Date("2026-11-29T18:00:00Z"),
    );
    expect(snapshot?.observedAt).toBe("2026-11-29T18:00:00.000Z");
    expect(snapshot?.session?.percentLeft).toBe(63);
    expect(snapshot?.weekly?.resetsAt).toBe("2026-12-01T14:30:00.000Z");
    expect(Object.keys(snapshot?.quotas ?? {})).toEqual(["premium_interactions", "chat"]);
    expect(snapshot?.quotas.premium_interactions?.entitlement).toBe(300);
    expect(parseLimitHeaders({ "content-type": "text/plain" })).toBeUndefined();
  });

  it("words reset times", () => {
    const now = Date.parse("2026-11-29T11:18:00Z");
    expect(resetsIn("2026-11-29T14:30:00Z", now)).toBe("resets in 3 h 12 min");
    expect(resetsIn(undefined, now)).toBe("reset time not reported");
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000)).toBe("2 days 3 h");
    expect(formatDuration(86_400_000)).toBe("1 day");
    expect(formatDuration(45_000)).toBe("45 s");
    // TZ=UTC is set for the test run (vitest.config.ts).
    expect(resetsAtAndIn(new Date("2026-12-01T14:30:00Z"), Date.parse("2026-11-29T11:30:00Z"))).toBe(
      "resets Tue 14:30 (in 2 days 3 h)",
    );
  });
});

describe("LimitTracker", () => {
  const now = Date.parse("2026-11-29T12:00:00Z");
  const session = (rem: number) => ({ "x-usage-ratelimit-session": limitValue(rem, "2026-11-29T15:00:00Z") });

  it("warns once when a limit passes 75% and once at 90%, again after it resets", () => {
    const tracker = new LimitTracker({ now: () => now });
    const warnings: LimitWarning[] = [];
    tracker.onWarning((w) => warnings.push(w));
    for (const rem of [60, 30, 24, 20, 11, 9.5, 5, 100, 20]) tracker.observe(session(rem));
    expect(warnings.map((w) => [w.threshold, w.usedPercent])).toEqual([
      [75, 76],
      [90, 90.5],
      [75, 80],
    ]);
    expect(warnings[0]?.message).toBe("Copilot session limit is 76% used (24% left); resets in 3 h.");
  });

  it("jumping straight past 90% warns once, and a snapshot it starts from is not warned again", () => {
    const warnings: LimitWarning[] = [];
    const fresh = new LimitTracker({ now: () => now });
    fresh.onWarning((w) => warnings.push(w));
    fresh.observe(session(3));
    expect(warnings.map((w) => w.threshold)).toEqual([90]);
    const restarted = new LimitTracker({ now: () => now, initial: fresh.current() });
    restarted.onWarning((w) => warnings.push(w));
    restarted.observe(session(2));
    expect(warnings).toHaveLength(1);
  });

  it("skips unchanged headers and answers without any", () => {
    const tracker = new LimitTracker({ now: () => now });
    let changes = 0;
    tracker.onChange(() => changes++);
    tracker.observe(session(50));
    tracker.observe(session(50));
    tracker.observe({ "content-type": "application/json" });
    tracker.observe(session(49));
    expect(changes).toBe(2);
    expect(tracker.current()?.session?.percentLeft).toBe(49);
  });
});

describe("limits through the client, streamed or not, and 429s", () => {
  const fake = new FakeUpstream();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  function client() {
    const home = mkdtempSync(join(tmpdir(), "cg-limits-"));
    return { home, ...fakeClient(fake, { env: { COPILOT_GATEWAY_HOME: home } }) };
  }

  it("every answer updates the snapshot: a JSON answer, then a stream", async () => {
    const { client: c, session, home } = client();
    fake.state.copilot.limitHeaders = {
      "x-usage-ratelimit-session": limitValue(80, "2026-11-29T21:00:00Z"),
      "x-usage-ratelimit-weekly": limitValue(95, "2026-12-01T14:30:00Z"),
    };
    await c.chat({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] });
    expect(session.limits.current()?.session?.percentLeft).toBe(80);
    fake.state.copilot.limitHeaders = {
      "x-usage-ratelimit-session": limitValue(72.5, "2026-11-29T21:00:00Z"),
      "x-usage-ratelimit-weekly": limitValue(94, "2026-12-01T14:30:00Z"),
      "x-quota-snapshot-premium_interactions": limitValue(
        50,
        "2026-12-01T00:00:00Z",
        "ent=300&ov=0&ovPerm=false",
      ),
    };
    const stream = await c.chat({
      model: "gpt-4.1",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    for await (const _ of stream) {
      // drain
    }
    const snapshot = session.limits.current();
    expect(snapshot?.session?.percentLeft).toBe(72.5);
    expect(snapshot?.weekly?.percentLeft).toBe(94);
    expect(snapshot?.quotas.premium_interactions?.entitlement).toBe(300);
    await session.limitFile?.flush();
    const path = limitFilePath(home, "github.com", session.credential.describe().identity);
    expect(readLimitFile(path)).toEqual(snapshot);
    expect(readFileSync(path, "utf8")).not.toContain("gho_");
  });

  it("a weekly 429 is not retried and says when the limit resets, from Retry-After", async () => {
    const { client: c, waits } = client();
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: fixtureJson("error-429-user-weekly-rate-limited.json"),
      headers: { "retry-after": String(2 * 86_400 + 3 * 3_600) },
    });
    const error = await c
      .chat({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopilotApiError);
    const e = error as CopilotApiError;
    expect(e.code).toBe("user_weekly_rate_limited");
    expect(e.message).toMatch(
      /^weekly limit reached; resets (Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d\d:\d\d \(in 2 days 3 h\)\. Copilot said: Sorry, you've exceeded your weekly rate limit\. Run `copilot-gateway usage` to see your limits\.$/,
    );
    expect(waits).toEqual([]);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
  });

  it("a global (5-hour) 429 without Retry-After takes the reset time from the session header", async () => {
    const { client: c, waits, session } = client();
    const reset = new Date(Date.now() + 3 * 3_600_000 + 12 * 60_000 - 1000).toISOString();
    fake.state.copilot.limitHeaders = { "x-usage-ratelimit-session": limitValue(0, reset) };
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: { error: { message: "Sorry, you've hit your session limit.", code: "user_global_rate_limited" } },
    });
    const e = (await c
      .chat({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] })
      .catch((x: unknown) => x)) as CopilotApiError;
    expect(e.code).toBe("user_global_rate_limited");
    expect(e.message).toContain("session limit (5 hours) reached; resets ");
    expect(e.message).toContain("(in 3 h 12 min)");
    expect(Math.round((e.retryAfterMs ?? 0) / 60_000)).toBe(192);
    expect(waits).toEqual([]);
    expect(session.limits.current()?.session?.percentLeft).toBe(0);
  });

  it("a model 429 with a short Retry-After is still waited for and retried", async () => {
    const { client: c, waits } = client();
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: fixtureJson("error-429-user-model-rate-limited.json"),
      headers: { "retry-after": "2" },
    });
    await c.chat({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] });
    expect(waits).toEqual([2000]);
  });

  it("a 429 whose Retry-After is hours away is not waited for (the fixture's 6311 s)", async () => {
    const { client: c, waits } = client();
    const headers = fixtureJson<Record<string, string>>("error-429-headers.json");
    delete headers._note;
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: { error: { message: "rate limited", code: "rate_limited" } },
      headers,
    });
    const e = (await c
      .chat({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] })
      .catch((x: unknown) => x)) as CopilotApiError;
    expect(waits).toEqual([]);
    expect(e.retryAfterMs).toBe(6_311_000);
  });
});
