import type { MessageParam } from "../translate/anthropic/messages-schema.js";

export type Initiator = "user" | "agent";

/** Claude Code announces itself with `User-Agent: claude-cli/…` and `x-app: cli`. */
export function isClaudeCodeClient(headers: {
  "user-agent"?: string | undefined;
  "x-app"?: string | undefined;
}): boolean {
  return /^claude-cli\//i.test(headers["user-agent"] ?? "") || headers["x-app"] === "cli";
}

/**
 * `X-Initiator` for an Anthropic request: `user` (a premium request) only for a fresh user turn. Tool results and
 * assistant prefills continue an agent loop. Claude Code's tool-less calls are its own background work (titles,
 * topic checks, the quota probe), never a turn the user typed, so they are `agent` too.
 */
export function initiatorForMessages(
  request: { messages: readonly MessageParam[]; tools?: readonly unknown[] | undefined },
  options: { claudeCode?: boolean } = {},
): Initiator {
  const last = request.messages.at(-1);
  if (last?.role !== "user") return "agent";
  if (Array.isArray(last.content) && last.content.some((block) => block.type === "tool_result"))
    return "agent";
  if (options.claudeCode && (request.tools?.length ?? 0) === 0) return "agent";
  return "user";
}
