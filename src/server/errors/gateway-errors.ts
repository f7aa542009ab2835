import { GatewayError } from "../../errors.js";

/** Errors the gateway itself answers with (not relayed from Copilot). Each names what to do next. */

export function notSignedIn(pageUrl: string): GatewayError {
  return new GatewayError(
    "not_signed_in",
    `The gateway is not signed in to GitHub Copilot: run \`copilot-gateway login\` (the running gateway picks it up), or open ${pageUrl} to sign in.`,
    { status: 401 },
  );
}

export function invalidApiKey(): GatewayError {
  return new GatewayError(
    "invalid_api_key",
    "Missing or wrong API key: send one of the gateway's keys as `Authorization: Bearer <key>` or `x-api-key`.",
    { status: 401 },
  );
}

export function hostRejected(host: string | undefined): GatewayError {
  return new GatewayError(
    "host_not_allowed",
    `Refused a request for Host "${host ?? ""}": while bound to loopback the gateway only answers localhost names (DNS-rebinding defence). Use http://127.0.0.1 or http://localhost.`,
    { status: 403 },
  );
}

export function invalidRequest(message: string, code = "invalid_request"): GatewayError {
  return new GatewayError(code, message, { status: 400 });
}

export function modelNotFound(model: string, suggestions: string[]): GatewayError {
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?` : "";
  return new GatewayError(
    "model_not_found",
    `The model "${model}" does not exist in your Copilot catalogue.${hint} GET /v1/models lists the models you can use.`,
    { status: 404 },
  );
}

export function routeNotFound(method: string, path: string): GatewayError {
  return new GatewayError("not_found", `No route ${method} ${path} on this gateway.`, { status: 404 });
}
