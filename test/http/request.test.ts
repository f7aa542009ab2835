import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, EXIT_CODES, UsageError } from "../../src/errors.js";
import { sendHttp, splitUrl } from "../../src/http/request.js";
import { closedPortUrl } from "../auth/closed-port.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
const dispatcher = new Agent();
beforeAll(() => fake.start());
afterAll(async () => {
  await fake.stop();
  await dispatcher.close();
});

describe("sendHttp", () => {
  it("reports a header undici refuses to send as bad input (exit 2), not as an unreachable host", async () => {
    const failure = await sendHttp({
      method: "GET",
      url: `${fake.url}/_ping`,
      headers: { "editor-version": "vscode/1.0\nInjected: yes" },
      dispatcher,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as UsageError).code).toBe("invalid_request_input");
    expect((failure as UsageError).exitCode).toBe(EXIT_CODES.usage);
    expect((failure as UsageError).message).toMatch(
      /^A request to 127\.0\.0\.1:\d+ could not be sent \(.+\); check/,
    );
    expect(fake.requestsTo("/_ping")).toHaveLength(0);
  });

  it("still reports a closed port as a connection failure naming the host", async () => {
    const url = await closedPortUrl();
    const failure = await sendHttp({ method: "GET", url: `${url}/x`, dispatcher }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).message).toContain(`Cannot reach ${new URL(url).host}`);
  });
});

describe("splitUrl", () => {
  it("slices a plain URL into origin and path, and leaves unusual ones to the URL parser", () => {
    expect(splitUrl("https://api.githubcopilot.com/chat/completions")).toEqual({
      origin: "https://api.githubcopilot.com",
      path: "/chat/completions",
    });
    expect(splitUrl("http://127.0.0.1:4141/v1/models?x=1")).toEqual({
      origin: "http://127.0.0.1:4141",
      path: "/v1/models?x=1",
    });
    expect(splitUrl("https://API.Example.com/a#frag")).toEqual({
      origin: "https://api.example.com",
      path: "/a",
    });
    expect(splitUrl("https://user:pw@example.com/a")).toEqual({ origin: "https://example.com", path: "/a" });
    expect(splitUrl("https://example.com")).toEqual({ origin: "https://example.com", path: "/" });
  });
});
