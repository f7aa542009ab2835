import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveSettings } from "../../src/config/settings.js";
import { createCopilotSession } from "../../src/copilot/session.js";
import { sendToCopilot } from "../../src/copilot/transport.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

function session() {
  const settings = resolveSettings({}, { ...fake.env(), HOME: "/nonexistent" });
  return createCopilotSession({
    settings,
    githubToken: { value: "gho_test", origin: "flag", label: "--github-token" },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
}

describe("sendToCopilot", () => {
  it("sends the editor headers and uses the token's endpoints.api", async () => {
    const s = session();
    const res = await sendToCopilot(s, { method: "GET", path: "/models" });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const seen = fake.requestsTo("/models")[0];
    expect(seen?.headers["editor-version"]).toBe("vscode/1.104.3");
    expect(seen?.headers["copilot-integration-id"]).toBe("vscode-chat");
    expect(seen?.headers.authorization).toMatch(/^Bearer tid=fake/);
  });

  it("heals a 401 with exactly one fresh exchange", async () => {
    const s = session();
    await (await sendToCopilot(s, { method: "GET", path: "/models" })).body.dump();
    fake.expireCopilotTokens();
    const res = await sendToCopilot(s, { method: "GET", path: "/models" });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(fake.exchanges).toBe(2);
  });
});
