export * from "./chat-route.js";
export * from "./chat-to-responses.js";
export * from "./responses-stream-to-chat.js";
export * from "./responses-to-chat.js";
export type * from "./responses-types.js";
