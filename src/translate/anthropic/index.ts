// Anthropic Messages ⇄ OpenAI chat translation: pure functions returning `{result, warnings}`.
export * from "./chat-schema.js";
export * from "./convert-messages.js";
export * from "./convert-request.js";
export * from "./convert-response.js";
export * from "./convert-tools.js";
export * from "./convert-usage.js";
export * from "./error-envelope.js";
export * from "./map-stop-reason.js";
export * from "./map-thinking.js";
export * from "./message-types.js";
export * from "./messages-schema.js";
export * from "./stream-transform.js";
