// Public library surface. The CLI (src/cli) and the server (src/server) are thin layers over these.

export * from "./auth/account-status.js";
export * from "./auth/device-flow/device-flow-error.js";
export * from "./auth/device-flow/poll-device-flow.js";
export * from "./auth/device-flow/start-device-flow.js";
export * from "./auth/github-token.js";
export * from "./auth/github-user.js";
export * from "./auth/import-sources.js";
export * from "./auth/resolve-github-token.js";
export * from "./auth/token-store.js";
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
