import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createStyle } from "../../src/cli/output/style.js";
import { renderUsage } from "../../src/cli/output/usage-report.js";
import { copilotUsageSchema } from "../../src/copilot/usage.js";
import { runCli } from "../copilot/helpers.js";
import { fixtureJson } from "../fake-upstream/fixtures.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

describe("copilot-gateway usage", () => {
  it("prints plan, premium quota with a bar, chat/completions and the reset date", async () => {
    const { code, stdout, stderr } = await runCli(fake, ["usage"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toBe(
      [
        "GitHub login:     octocat",
        "Copilot plan:     Copilot Business",
        "Premium requests: 93.5 of 300 left  [##############......]",
        "Chat:             unlimited",
        "Completions:      unlimited",
        "Resets on:        2026-10-01",
        "Limits:           none seen yet; they are read from Copilot's answers, so they show after a request through `serve` or `chat`",
        "",
      ].join("\n"),
    );
    const seen = fake.requestsTo("/copilot_internal/user")[0];
    expect(seen?.headers.authorization).toBe("token gho_cli00000000000000000000000000000000000");
  });

  it("--json prints the parsed report", async () => {
    const { code, stdout } = await runCli(fake, ["usage", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.limits).toBeNull();
    expect(report).toMatchObject({
      copilot_plan: "business",
      quota_reset_date: "2026-10-01",
      quota_snapshots: { premium_interactions: { entitlement: 300, remaining: 93, unlimited: false } },
    });
  });

  it("draws the bar in colour on request", async () => {
    const { stdout } = await runCli(fake, ["usage"], { env: { FORCE_COLOR: "1" } });
    expect(stdout).toContain("\u001b[32m██████████████\u001b[39m");
  });

  it("names the token source when the GitHub token is rejected", async () => {
    const { code, stderr } = await runCli(fake, ["usage"], { env: { COPILOT_GITHUB_TOKEN: "bogus" } });
    expect(code).toBe(4);
    expect(stderr).toBe(
      "error: the token from COPILOT_GITHUB_TOKEN was rejected by github.com (bad credentials: revoked, expired or mistyped); run `copilot-gateway login` to sign in again (or unset COPILOT_GITHUB_TOKEN, which takes precedence over the stored login).\n",
    );
  });
});

describe("copilot-gateway usage when GitHub refuses the report", () => {
  it("a 403/404 is no access (exit 5) and points at status, which tells why", async () => {
    fake.state.copilot.failures.push({
      path: "/copilot_internal/user",
      status: 404,
      body: { message: "Not Found" },
    });
    const { code, stdout, stderr } = await runCli(fake, ["usage"]);
    expect({ code, stdout }).toEqual({ code: 5, stdout: "" });
    expect(stderr).toBe(
      "error: github.com refused the Copilot usage report for the token from COPILOT_GITHUB_TOKEN (HTTP 404: Not Found); run `copilot-gateway status` to see why.\n",
    );
  });

  it("a 5xx is an upstream failure (exit 7) to retry", async () => {
    fake.state.copilot.failures.push({ path: "/copilot_internal/user", status: 502, body: "Bad Gateway" });
    const { code, stderr } = await runCli(fake, ["usage"]);
    expect(code).toBe(7);
    expect(stderr).toBe("error: github.com answered HTTP 502 for the Copilot usage report; retry later.\n");
  });
});

describe("renderUsage", () => {
  const plain = createStyle({ isTTY: false }, {});

  it("shows Copilot Free's monthly allowances when there are no snapshots", () => {
    const report = copilotUsageSchema.parse({
      login: "newbie",
      copilot_plan: "individual",
      access_type_sku: "free_limited_copilot",
      limited_user_quotas: { chat: 40, completions: 1500 },
      monthly_quotas: { chat: 50, completions: 2000 },
      limited_user_reset_date: "2026-12-01",
    });
    expect(renderUsage(report, plain)).toBe(
      [
        "GitHub login:     newbie",
        "Copilot plan:     Copilot Pro",
        "Premium requests: not reported",
        "Chat:             40 of 50 left  [####................]",
        "Completions:      1,500 of 2,000 left  [#####...............]",
        "Resets on:        2026-12-01",
        "",
      ].join("\n"),
    );
  });

  it("counts overage and reads the business capture's UTC reset date", () => {
    const report = copilotUsageSchema.parse({
      ...fixtureJson<Record<string, unknown>>("copilot-user-business.json"),
      quota_reset_date: undefined,
      quota_snapshots: {
        premium_interactions: { entitlement: 300, remaining: 0, overage_count: 12, unlimited: false },
      },
    });
    const text = renderUsage(report, plain);
    expect(text).toContain("Premium requests: 0 of 300 left, 12 over  [####################]");
    expect(text).toContain("Resets on:        2025-11-01");
  });

  it("tolerates odd field types instead of failing the report", () => {
    const report = copilotUsageSchema.parse({
      copilot_plan: 3,
      quota_snapshots: "nope",
      quota_reset_date: "2026-01-01",
    });
    expect(renderUsage(report, plain)).toContain("Copilot plan:     unknown");
  });
});
