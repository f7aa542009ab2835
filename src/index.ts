// The public library surface: `import … from "copilot-gateway"`. Only what a program needs is exported here, by
// name (never `export *`): test/library/public-surface.test.ts pins this list, so a change to it is deliberate.
// The CLI and the server import the internals they need directly from their modules.

export type { AccountStatus } from "./auth/account-status.js";
// Typed errors: every failure is a GatewayError with a stable `code`, an HTTP `status` and a CLI `exitCode`.
export { DeviceFlowError, type DeviceFlowErrorCode } from "./auth/device-flow/device-flow-error.js";
export {
  type DeviceFlowToken,
  type PollDeviceFlowOptions,
  pollDeviceFlow,
} from "./auth/device-flow/poll-device-flow.js";
export {
  type DeviceCode,
  type StartDeviceFlowOptions,
  startDeviceFlow,
} from "./auth/device-flow/start-device-flow.js";
export { NotSignedInError } from "./auth/resolve-github-token.js";
export {
  deleteStoredGitHubToken,
  readStoredGitHubToken,
  type StoredGitHubToken,
  saveGitHubToken,
  storedTokenPath,
  type TokenStoreLocation,
} from "./auth/token-store.js";
export { CopilotApiError } from "./copilot/api-error.js";
// Types of requests and answers.
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatContentPart,
  ChatMessage,
  ChatTool,
  ChatToolCall,
  ChatToolChoice,
  ChatUsage,
} from "./copilot/chat-types.js";
export type { ChatInput, JsonObject } from "./copilot/client.js";
export { ModelCapabilityError, ModelNotEnabledError, UnknownModelError } from "./copilot/model-errors.js";
export type { CopilotModel } from "./copilot/models.js";
export type { Timeouts } from "./copilot/transport.js";
export type { CopilotUsage, QuotaSnapshot } from "./copilot/usage.js";
export {
  AbortedError,
  ConnectionError,
  describeError,
  EXIT_CODES,
  type ExitCode,
  GatewayError,
  TimeoutError,
  UsageError,
} from "./errors.js";
// The entry point.
export {
  Copilot,
  type CopilotApiRequest,
  type CopilotOptions,
  type CopilotStream,
  createCopilot,
  type EmbeddingsRequest,
  type RequestOptions,
} from "./library/create-copilot.js";
export type { CopilotLimits, LimitReading } from "./library/limits.js";
// Signing in and the token store.
export {
  type SignInCode,
  type SignInOptions,
  type SignInResult,
  signIn,
  signOut,
  storedLoginPath,
} from "./library/sign-in.js";
export type { FetchFunction } from "./server/in-process-fetch.js";
export { StreamInterruptedError, StreamProtocolError, UpstreamStreamError } from "./sse/stream-errors.js";
