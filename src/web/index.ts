// The web page's library side: view shapes, the browser sign-in coordinator, page security checks.
export * from "./page-backend.js";
export * from "./page-security.js";
export * from "./page-types.js";
export * from "./sign-in-coordinator.js";
export * from "./snippets.js";
export * from "./sse.js";
export * from "./views.js";
