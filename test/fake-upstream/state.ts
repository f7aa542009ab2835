import type { KeyObject } from "node:crypto";
import type { InjectedFailure } from "./http-kit.js";

/** Outcome of one device-flow poll, as GitHub names it (spec §2), or "success". */
export type DevicePollOutcome =
  | "success"
  | "authorization_pending"
  | "slow_down"
  | "expired_token"
  | "access_denied"
  | "unsupported_grant_type"
  | "incorrect_client_credentials"
  | "incorrect_device_code"
  | "device_flow_disabled"
  /** Not GitHub's: a 502 page, as a flaky proxy or GitHub outage answers. */
  | "server_error"
  /** Not GitHub's: the connection is dropped without an answer. */
  | "connection_reset";

/** How the token exchange should fail, or undefined to succeed (spec §3). */
export type ExchangeFailure =
  | "bad_credentials"
  | "sso_required"
  | "no_seat"
  /** 404 with error_details (spec §3 lists both 403 and 404 for the no-seat family). */
  | "subscription_ended"
  | "not_found"
  | "pat_not_supported"
  | "rate_limited"
  | "server_error"
  /** Not GitHub's: the connection is dropped without an answer. */
  | "connection_reset";

/**
 * A GitHub account of a multi-person fake (team gateway tests). Each has its own device-flow token, login, id,
 * organisations and Copilot seat; the Copilot tokens issued for it are remembered, so a test can tell whose seat a
 * request ran on.
 */
export interface FakePerson {
  login: string;
  id: number;
  /** The GitHub token the device flow grants this person. */
  token: string;
  orgs: string[];
  /** Without a seat the exchange answers 403 no_copilot_access. */
  seat: boolean;
}

/** Every switch of the fake. Tests mutate `fake.state` directly; `fake.reset()` restores these defaults. */
export interface FakeState {
  deviceFlow: {
    /** Outcomes of successive polls; when used up, `approved` decides between success and pending. */
    script: DevicePollOutcome[];
    approved: boolean;
    interval: number;
    expiresIn: number;
    /** The interval carried by a slow_down answer (GitHub sends the new one). */
    slowDownInterval: number | undefined;
    /** Answer form-encoded even when JSON is accepted (GitHub does so without Accept: application/json). */
    forceFormEncoded: boolean;
    accessToken: string;
    /** Device-code requests rejected with this error (e.g. device_flow_disabled at step 1). */
    codeError: DevicePollOutcome | undefined;
    userCode: string;
    /** Extra fields of a successful grant (GitHub App user tokens: expires_in, refresh_token, …). */
    grantExtras: Record<string, unknown>;
  };
  exchange: {
    failure: ExchangeFailure | undefined;
    refreshIn: number;
    /** Seconds the issued Copilot token is accepted by the fake's Copilot API. */
    lifetime: number;
    /** endpoints.api in the answer; defaults to the fake's own URL. `null` leaves the field out. */
    apiUrl: string | null | undefined;
    sku: string;
    /** GitHub tokens the exchange accepts; undefined accepts any gho_/ghu_ token. */
    acceptedTokens: string[] | undefined;
    /** Delay before answering, to test single flight. */
    delayMs: number;
    /** The message of a `server_error` answer (ECHO_AUTHORIZATION in it echoes the request's header). */
    errorMessage: string | undefined;
    /** GitHub user tokens of apps the exchange refuses with a plain 404 (e.g. some apps' gho_), spec §9. */
    refusedTokens: string[];
  };
  /** The test GitHub App (spec §9): tests set `publicKey` (see app-keys.ts) and its installations. */
  app: {
    appId: string;
    publicKey: KeyObject | undefined;
    /** 403 "Resource not accessible by integration" at the mint: the credentials are not a GitHub App's. */
    notAnApp: boolean;
    installations: Record<
      string,
      { org: string; repositories: number[]; copilotPermission: boolean; allRepositories: boolean }
    >;
    /** Lifetime of minted ghs_ tokens (GitHub: one hour). */
    tokenLifetimeSeconds: number;
    /** GitHub's clock minus the real one, in its Date header and its JWT checks. */
    clockSkewSeconds: number;
    mintFailure: "server_error" | undefined;
  };
  /** Organisations and their Copilot policies. */
  orgs: Record<string, { allowAppInstallations: boolean; allowActions: boolean }>;
  /** Actions GITHUB_TOKENs (ghs_) and whether the workflow granted `copilot-requests: write`. */
  actionsTokens: Record<string, { org: string; copilotRequests: boolean }>;
  /** Fine-grained PATs (github_pat_) and whether they carry the Copilot Requests permission. */
  pats: Record<string, { copilotRequests: boolean }>;
  user: { login: string; ssoHeader: boolean };
  /**
   * When non-empty, the fake plays several GitHub accounts: every device code is distinct and is granted to the
   * person a test names with `fake.approveDevice(userCode, login)`; /user, /user/orgs, the exchange and
   * copilot_internal/user answer for the token's owner.
   */
  people: FakePerson[];
  copilot: {
    /** Failures answered, first in first out, before normal handling; `path` limits one to a route. */
    failures: (InjectedFailure & { path?: string })[];
    /** Wait before answering each request. */
    thinkTimeMs: number;
    /** Delay between streamed chunks. */
    chunkDelayMs: number;
    /** After this many chunks (chat, Responses and native Messages streams), go silent until the client leaves. */
    stallAfterChunks?: number | undefined;
    /** Number of content chunks in synthetic streams. */
    streamChunks: number;
    /** Replay this fixture (a file in test/fixtures) for chat streams instead of synthesising one. */
    streamFixture: string | undefined;
    /** Send an `error` object mid-stream after this many chunks. */
    midStreamErrorAfter: number | undefined;
    /** Its message (ECHO_AUTHORIZATION in it echoes the request's header). */
    midStreamErrorMessage: string | undefined;
    /**
     * Write that error event in two pieces a moment apart, cut in the middle of the echoed Authorization value
     * (else of the message), so the client gets it in two chunks (Responses and native Messages streams).
     */
    midStreamErrorSplit: boolean;
    /** Drop the connection mid-stream after this many chunks. */
    midStreamDisconnectAfter: number | undefined;
    /** Extra models appended to the catalogue. */
    extraModels: unknown[];
    /**
     * Chat answers a request that offers tools (and does not end in a tool result) with one call to the first
     * tool, arguments `{"query": <last user text>}`, streamed or not. The native Messages API (Claude) answers the
     * same way with a `tool_use` block (until the last turn carries a `tool_result`).
     */
    toolCalls: boolean;
    /** Replay responses-stream.sse for streamed /responses instead of synthesising an echo stream. */
    responsesFixture: boolean;
    /** GitHub tokens the Copilot API accepts directly as the bearer (besides PATs with Copilot Requests). */
    directBearers: string[];
    /** Limit headers (spec §10) sent on every Copilot answer, errors included; tests change them between calls. */
    limitHeaders: Record<string, string>;
    /** Prompt tokens chat answers report as served from the cache (capped at the prompt). */
    cachedTokens: number;
  };
}

export function defaultState(): FakeState {
  return {
    deviceFlow: {
      script: [],
      approved: true,
      interval: 0,
      expiresIn: 900,
      slowDownInterval: undefined,
      forceFormEncoded: false,
      accessToken: "gho_fake0000000000000000000000000000000001",
      codeError: undefined,
      userCode: "WDJB-MJHT",
      grantExtras: {},
    },
    exchange: {
      failure: undefined,
      refreshIn: 1500,
      lifetime: 1800,
      apiUrl: undefined,
      sku: "copilot_for_business_seat_quota",
      acceptedTokens: undefined,
      delayMs: 0,
      errorMessage: undefined,
      refusedTokens: [],
    },
    app: {
      appId: "424242",
      publicKey: undefined,
      notAnApp: false,
      installations: {
        "1001": { org: "acme", repositories: [77, 78], copilotPermission: true, allRepositories: true },
        "1002": { org: "closed-org", repositories: [90], copilotPermission: true, allRepositories: true },
        "1003": { org: "acme", repositories: [77], copilotPermission: false, allRepositories: true },
      },
      tokenLifetimeSeconds: 3600,
      clockSkewSeconds: 0,
      mintFailure: undefined,
    },
    orgs: {
      acme: { allowAppInstallations: true, allowActions: true },
      "closed-org": { allowAppInstallations: false, allowActions: false },
    },
    actionsTokens: {},
    pats: {},
    user: { login: "octocat", ssoHeader: false },
    people: [],
    copilot: {
      failures: [],
      thinkTimeMs: 0,
      chunkDelayMs: 0,
      streamChunks: 5,
      streamFixture: undefined,
      midStreamErrorAfter: undefined,
      midStreamErrorMessage: undefined,
      midStreamErrorSplit: false,
      midStreamDisconnectAfter: undefined,
      extraModels: [],
      toolCalls: false,
      responsesFixture: false,
      directBearers: [],
      limitHeaders: {},
      cachedTokens: 0,
    },
  };
}
