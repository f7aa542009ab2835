import { GatewayError } from "../errors.js";

/**
 * The team gateway's answers to one person's request, each saying what to do next. `signInHint` is where to sign
 * in, e.g. "`copilot-gateway connect https://copilot.example.com` or https://copilot.example.com/".
 */
export type PersonAccessError = GatewayError;

export function invalidPersonalKey(signInHint: string): GatewayError {
  return new GatewayError(
    "invalid_api_key",
    `Missing or unknown personal key: get one with ${signInHint}, then send it as \`Authorization: Bearer <key>\` or \`x-api-key\`.`,
    { status: 401 },
  );
}

export function revokedPersonalKey(signInHint: string, disabled: boolean): GatewayError {
  return new GatewayError(
    "key_revoked",
    disabled
      ? "This personal key was revoked: an admin removed your access to this gateway; ask an admin to restore it."
      : `This personal key was revoked; get a new one with ${signInHint}.`,
    { status: 401 },
  );
}

export function notInAllowedOrg(login: string, allowedOrgs: readonly string[]): GatewayError {
  return new GatewayError(
    "not_in_allowed_org",
    `${login} is not a member of ${allowedOrgs.join(" or ")}, which this gateway is limited to; ask an organisation owner to add you, then sign in again.`,
    { status: 403 },
  );
}

export function userRateLimited(limit: number, retryAfterMs: number): GatewayError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new GatewayError(
    "user_rate_limited",
    `You reached this gateway's limit of ${limit} requests per minute per person; retry in ${seconds} s.`,
    { status: 429, headers: { "retry-after": String(seconds) } },
  );
}

export function userConcurrencyLimited(limit: number): GatewayError {
  return new GatewayError(
    "user_concurrency_limited",
    `You already have ${limit} request${limit === 1 ? "" : "s"} running on this gateway (its limit per person); retry when one finishes.`,
    { status: 429, headers: { "retry-after": "1" } },
  );
}

export function personSignInLost(login: string, why: string): GatewayError {
  return new GatewayError(
    "sign_in_lost",
    `The gateway can no longer use ${login}'s GitHub sign-in (${why}); sign in again to this gateway (\`copilot-gateway connect URL\` or its page).`,
    { status: 401 },
  );
}
