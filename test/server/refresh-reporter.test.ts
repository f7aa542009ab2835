import { describe, expect, it } from "vitest";
import { CopilotTokenManager } from "../../src/copilot/token-manager.js";
import { GatewayError } from "../../src/errors.js";
import { refreshReporter } from "../../src/server/refresh-reporter.js";
import { waitFor } from "./harness.js";

describe("refreshReporter", () => {
  it("says a failing background refresh once, again when the reason changes, and when it works again", async () => {
    const lines: string[] = [];
    let failure: string | undefined = "Copilot answered HTTP 503";
    let attempts = 0;
    const manager = new CopilotTokenManager({
      exchange: async () => {
        attempts++;
        if (failure) throw new GatewayError("exchange_failed", failure);
        return {
          token: "tid=x",
          expiresAt: 0,
          refreshIn: 1500,
          receivedAt: performance.now(),
          apiUrl: "http://x",
          sku: undefined,
          chatEnabled: undefined,
        };
      },
      retryBaseMs: 1,
      retryMaxMs: 2,
      ...refreshReporter((line) => lines.push(line)),
    });
    manager.start();
    try {
      await waitFor(() => attempts >= 5, "five failed refreshes");
      expect(lines).toEqual([
        "warning: Copilot token refresh failed (retrying with backoff; said again only if this changes): Copilot answered HTTP 503",
      ]);
      failure = "the token from GH_TOKEN was rejected";
      const seen = attempts;
      await waitFor(() => attempts >= seen + 3, "three more failures");
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain("the token from GH_TOKEN was rejected");
      failure = undefined;
      await waitFor(() => lines.length === 3, "the recovery line");
      expect(lines[2]).toBe("Copilot token refresh works again.");
    } finally {
      manager.stop();
    }
  });
});
