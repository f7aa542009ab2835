// Public library surface. The CLI (src/cli) and the server (src/server) are thin layers over these.

export * from "./auth/github-token.js";
export * from "./auth/resolve-github-token.js";
export * from "./config/editor-headers.js";
export * from "./config/hosts.js";
export * from "./config/paths.js";
export * from "./config/settings.js";
export * from "./copilot/api-error.js";
export * from "./copilot/copilot-token.js";
export * from "./copilot/exchange-token.js";
export * from "./copilot/session.js";
export * from "./copilot/token-manager.js";
export * from "./copilot/transport.js";
export * from "./errors.js";
export * from "./http/dispatcher.js";
