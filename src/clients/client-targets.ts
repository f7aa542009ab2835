/** The tools `copilot-gateway env` (and the page) can set up, in the order they are listed. */
export const CLIENT_TARGETS = ["claude-code", "codex", "opencode", "aider", "continue", "curl"] as const;
export type ClientTarget = (typeof CLIENT_TARGETS)[number];
