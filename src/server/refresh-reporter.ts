import type { CopilotToken } from "../copilot/copilot-token.js";
import { describeError } from "../errors.js";

/**
 * Log lines for a session's background token refresh: a failure is said once, and again only when the reason
 * changes; a later success says the refresh works again. A gateway left running for days must not repeat the same
 * warning every minute.
 */
export function refreshReporter(writeLog: (line: string) => void): {
  onRefreshError: (error: unknown, attempt: number, nextRetryMs: number) => void;
  onRefresh: (token: CopilotToken) => void;
} {
  let lastProblem: string | undefined;
  return {
    onRefreshError(error) {
      const problem = describeError(error);
      if (problem === lastProblem) return;
      lastProblem = problem;
      writeLog(
        `warning: Copilot token refresh failed (retrying with backoff; said again only if this changes): ${problem}`,
      );
    },
    onRefresh() {
      if (lastProblem === undefined) return;
      lastProblem = undefined;
      writeLog("Copilot token refresh works again.");
    },
  };
}
