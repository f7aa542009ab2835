import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../copilot/helpers.js";
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
        "Account:          octocat",
        "Plan:             business (copilot_enterprise_seat)",
        "Premium requests: 206.5 / 300 used (68.8%)  [##############......]",
        "Chat:             unlimited",
        "Completions:      unlimited",
        "Resets on:        2026-10-01",
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
      "error: The GitHub token from COPILOT_GITHUB_TOKEN was rejected by github.com; run `copilot-gateway login`.\n",
    );
  });
});
