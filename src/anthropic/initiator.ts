import { anthropicInitiator, type Initiator } from "../copilot/request-hints.js";

/** Claude Code announces itself with `User-Agent: claude-cli/…` and `x-app: cli`. */
export function isClaudeCodeClient(headers: {
  "user-agent"?: string | undefined;
  "x-app"?: string | string[] | undefined;
}): boolean {
  return /^claude-cli\//i.test(headers["user-agent"] ?? "") || headers["x-app"] === "cli";
}

/**
 * `X-Initiator` for an Anthropic request. The client's rule applies (`user` only for a fresh user turn; tool
 * results and assistant prefills are `agent`), plus one for Claude Code: its tool-less calls are its own
 * background work (titles, topic checks, the quota probe), never a turn the user typed, so they are `agent` too.
 */
export function initiatorForMessages(
  request: { messages: unknown; tools?: readonly unknown[] | undefined },
  options: { claudeCode?: boolean } = {},
): Initiator {
  const initiator = anthropicInitiator(request.messages);
  if (initiator === "user" && options.claudeCode && (request.tools?.length ?? 0) === 0) return "agent";
  return initiator;
}
