import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createStyle } from "../../src/cli/output/style.js";
import { renderLimits } from "../../src/cli/output/usage-report.js";
import { runCli } from "../copilot/helpers.js";
import { fixtureJson } from "../fake-upstream/fixtures.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { limitValue } from "../limits/limit-value.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const inHome = () => {
  const home = mkdtempSync(join(tmpdir(), "cg-usage-limits-"));
  return { HOME: home, COPILOT_GATEWAY_HOME: home };
};
const hours = (h: number, m = 0) => new Date(Date.now() + h * 3_600_000 + m * 60_000 - 30_000).toISOString();

describe("usage shows the limits the last answer carried", () => {
  it("chat reads the headers and warns; usage then draws session and weekly bars with their reset", async () => {
    const env = inHome();
    fake.state.copilot.limitHeaders = {
      "x-usage-ratelimit-session": limitValue(20, hours(3, 12)),
      "x-usage-ratelimit-weekly": limitValue(63, hours(4 * 24 + 2)),
    };
    const chat = await runCli(fake, ["chat", "--no-stream", "hi"], { env });
    expect(chat.code).toBe(0);
    expect(chat.stderr).toBe(
      "warning: Copilot session limit is 80% used (20% left); resets in 3 h 12 min.\n",
    );

    const { code, stdout } = await runCli(fake, ["usage"], { env });
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines).toContain("Session (5 h):    80% used   [################....]  resets in 3 h 12 min");
    expect(lines).toContain("Weekly:           37% used   [#######.............]  resets in 4 days 2 h");
    expect(stdout).toMatch(/Limits as of: {5}\d{4}-\d\d-\d\d \d\d:\d\d UTC \(just now\)/);

    const json = JSON.parse((await runCli(fake, ["usage", "--json"], { env })).stdout);
    expect(json.limits.session).toMatchObject({ percentLeft: 20 });
    expect(json.limits.weekly).toMatchObject({ percentLeft: 63 });
    expect(Date.parse(json.limits.weekly.resetsAt)).toBeGreaterThan(Date.now());
  });

  it("a weekly 429 says when the limit resets, in one line, exit 7", async () => {
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: fixtureJson("error-429-user-weekly-rate-limited.json"),
      headers: { "retry-after": String(2 * 86_400 + 3 * 3_600 - 30) },
    });
    const { code, stderr } = await runCli(fake, ["chat", "--no-stream", "hi"], { env: inHome() });
    expect(code).toBe(7);
    expect(stderr).toMatch(
      /^error: weekly limit reached; resets (Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d\d:\d\d \(in 2 days 3 h\)\. Copilot said: Sorry, you've exceeded your weekly rate limit\. Run `copilot-gateway usage` to see your limits\.\n$/,
    );
    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
  });
});

describe("renderLimits", () => {
  const plain = createStyle({ isTTY: false }, {});
  it("says how old the reading is and when a limit did not come with the answer", () => {
    const now = Date.parse("2026-11-29T12:00:00Z");
    const text = renderLimits(
      {
        observedAt: "2026-11-29T11:15:00.000Z",
        session: undefined,
        weekly: {
          percentLeft: 9.5,
          resetsAt: "2026-12-01T14:30:00.000Z",
          entitlement: 0,
          overageUsed: 0,
          overagePermitted: false,
        },
        quotas: {},
      },
      plain,
      now,
    );
    expect(text).toBe(
      [
        "Session (5 h):    not reported",
        "Weekly:           90.5% used [##################..]  resets in 2 days 2 h",
        "Limits as of:     2026-11-29 11:15 UTC (45 min ago)",
        "",
      ].join("\n"),
    );
  });
});
