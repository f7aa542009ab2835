import { describe, expect, it } from "vitest";
import { formatWait, parseRetryAfter, retryAfterFromHeaders } from "../../src/copilot/api-error.js";

describe("Retry-After (spec §4: seconds or an HTTP date)", () => {
  const now = Date.parse("2026-11-25T03:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(" 0.5 ", now)).toBe(500);
  });

  it("reads an HTTP date as the time left until it, and a past date as no wait", () => {
    expect(parseRetryAfter("Wed, 25 Nov 2026 03:00:12 GMT", now)).toBe(12_000);
    expect(parseRetryAfter("Wed, 25 Nov 2026 02:59:00 GMT", now)).toBe(0);
  });

  it("ignores an empty or unreadable value", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });

  it("falls back to Copilot's x-ratelimit-user-retry-after", () => {
    expect(retryAfterFromHeaders({ "x-ratelimit-user-retry-after": "42" }, now)).toBe(42_000);
    expect(retryAfterFromHeaders({ "retry-after": "7", "x-ratelimit-user-retry-after": "42" }, now)).toBe(
      7000,
    );
  });

  it("words a wait for the one-line message", () => {
    expect(formatWait(45_000)).toBe("45 s");
    expect(formatWait(12 * 60_000)).toBe("12 min");
    expect(formatWait(105 * 60_000 + 1)).toBe("106 min");
    expect(formatWait(3 * 3_600_000 + 5 * 60_000)).toBe("3 h 5 min");
  });
});
