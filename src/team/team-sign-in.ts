import { randomBytes } from "node:crypto";
import type { Dispatcher } from "undici";
import { DeviceFlowError } from "../auth/device-flow/device-flow-error.js";
import { pollDeviceFlowOnce } from "../auth/device-flow/poll-device-flow-once.js";
import { startDeviceFlow } from "../auth/device-flow/start-device-flow.js";
import { fetchGitHubOrgs } from "../auth/github-orgs.js";
import type { GitHubToken } from "../auth/github-token.js";
import { fetchGitHubUser } from "../auth/github-user.js";
import type { Settings } from "../config/settings.js";
import { exchangeCopilotToken, TokenExchangeError } from "../copilot/exchange-token.js";
import { describeError, GatewayError } from "../errors.js";
import type { AuditInput, PendingSignIn } from "../store/records.js";
import type { Store } from "../store/store.js";
import { generatePersonalKey, hashSecret, newKeyId, personalKeyHint } from "./personal-key.js";
import { deviceCodeContext, githubTokenContext } from "./sealing.js";
import type { SecretBox } from "./secret-box.js";
import type { TeamOptions } from "./team-options.js";

/** The scopes a team gateway asks for: who you are, and (for --allow-org) which organisations you belong to. */
export const TEAM_SCOPE = "read:user read:org";

/** What a client shows while the person approves, and polls with. `handle` is a secret only this client holds. */
export interface StartedSignIn {
  handle: string;
  userCode: string;
  verificationUri: string;
  /** Unix ms. */
  expiresAt: number;
  intervalSeconds: number;
}

/** Where a sign-in stands, as the client's next poll learns it. */
export type SignInProgress =
  | {
      status: "pending";
      userCode: string;
      verificationUri: string;
      intervalSeconds: number;
      expiresAt: number;
    }
  | {
      status: "complete";
      login: string;
      key: string;
      keyId: string;
      /** For sign-ins from the page: the session cookie value. */
      pageSession?: string | undefined;
    }
  | { status: "refused" | "denied" | "expired" | "failed" | "finished"; message: string };

export interface TeamSignInDeps {
  settings: Settings;
  store: Store;
  box: SecretBox;
  dispatcher: Dispatcher;
  options: TeamOptions;
  /** A person's sign-in changed: drop any session built on their old token. */
  onSignedIn: (login: string) => void;
  now?: (() => number) | undefined;
}

/** A sign-in that is not finished within this long after it started is forgotten (GitHub's codes last 15 min). */
const SIGN_IN_RETENTION_MS = 60 * 60_000;

/**
 * The device flow run by the gateway on a person's behalf (for `copilot-gateway connect` and the page). Its state
 * lives in the store, so whichever replica takes the next poll carries it on; each poll of GitHub is claimed in the
 * store first, so two replicas never poll the same code at once.
 */
export class TeamSignIn {
  readonly #deps: TeamSignInDeps;
  readonly #now: () => number;

  constructor(deps: TeamSignInDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  async start(input: {
    via: PendingSignIn["via"];
    keyName: string;
    address?: string | undefined;
  }): Promise<StartedSignIn> {
    const { settings, store, box, dispatcher } = this.#deps;
    const now = this.#now();
    await store.deleteSignInsBefore(now - SIGN_IN_RETENTION_MS);
    const code = await startDeviceFlow({
      webUrl: settings.endpoints.webUrl,
      clientId: settings.clientId,
      scope: TEAM_SCOPE,
      dispatcher,
      now: this.#now,
    });
    const handle = randomBytes(32).toString("base64url");
    const id = hashSecret(handle);
    const expiresAt = now + code.expiresIn * 1000;
    await store.createSignIn({
      id,
      via: input.via,
      keyName: input.keyName,
      sealedDeviceCode: box.seal(code.deviceCode, deviceCodeContext(id)),
      userCode: code.userCode,
      verificationUri: code.verificationUri,
      intervalSeconds: code.interval,
      createdAt: now,
      expiresAt,
      nextPollAt: now + code.interval * 1000,
      status: "pending",
      ...(input.address && { clientAddress: input.address }),
    });
    return {
      handle,
      userCode: code.userCode,
      verificationUri: code.verificationUri,
      expiresAt,
      intervalSeconds: code.interval,
    };
  }

  /** Carry the sign-in on by (at most) one poll of GitHub, and say where it stands. */
  async poll(handle: string, address?: string): Promise<SignInProgress | undefined> {
    const { store } = this.#deps;
    const id = hashSecret(handle);
    const signIn = await store.getSignIn(id);
    if (!signIn) return undefined;
    if (signIn.status !== "pending") return this.#ended(signIn);
    const now = this.#now();
    if (now >= signIn.expiresAt) {
      const message = "The sign-in code expired before it was approved; start the sign-in again.";
      await store.endSignIn(id, { status: "expired", message });
      return { status: "expired", message };
    }
    const pending: SignInProgress = {
      status: "pending",
      userCode: signIn.userCode,
      verificationUri: signIn.verificationUri,
      intervalSeconds: signIn.intervalSeconds,
      expiresAt: signIn.expiresAt,
    };
    if (!(await store.claimSignInPoll(id, now, now + signIn.intervalSeconds * 1000))) return pending;
    let step: Awaited<ReturnType<typeof pollDeviceFlowOnce>>;
    try {
      step = await pollDeviceFlowOnce({
        webUrl: this.#deps.settings.endpoints.webUrl,
        clientId: this.#deps.settings.clientId,
        deviceCode: this.#deps.box.open(signIn.sealedDeviceCode, deviceCodeContext(id)),
        intervalSeconds: signIn.intervalSeconds,
        dispatcher: this.#deps.dispatcher,
      });
    } catch (error) {
      if (!(error instanceof DeviceFlowError)) return pending; // the network blinked: the next poll retries
      const status =
        error.code === "access_denied" ? "denied" : error.code === "expired_token" ? "expired" : "failed";
      const message =
        status === "denied"
          ? "The sign-in was cancelled on GitHub (access denied); start it again to get a key."
          : status === "expired"
            ? "The sign-in code expired before it was approved; start the sign-in again."
            : `GitHub ended the sign-in: ${error.message}`;
      await store.endSignIn(id, { status, message });
      return { status, message };
    }
    if (step.status === "pending") return pending;
    if (step.status === "slow_down") {
      await store.setSignInInterval(id, step.intervalSeconds, now + step.intervalSeconds * 1000);
      return { ...pending, intervalSeconds: step.intervalSeconds };
    }
    try {
      return await this.#admit(signIn, step.token.accessToken, step.token.scope, address);
    } catch (error) {
      // The code is spent: nothing can resume this sign-in, so say so and let the person start again.
      const message = `The sign-in could not be completed (${describeError(error)}); start it again.`;
      await store.endSignIn(id, { status: "failed", message });
      return { status: "failed", message };
    }
  }

  #ended(signIn: PendingSignIn): SignInProgress {
    if (signIn.status === "complete") {
      return {
        status: "finished",
        message:
          "This sign-in already finished and its key was handed out once; start a new sign-in for another key.",
      };
    }
    return {
      status: signIn.status === "pending" ? "failed" : signIn.status,
      message: signIn.message ?? "This sign-in ended; start it again.",
    };
  }

  /** GitHub approved: decide whether this person gets a key, and if so store everything in one step. */
  async #admit(
    signIn: PendingSignIn,
    token: string,
    scopes: string,
    address: string | undefined,
  ): Promise<SignInProgress> {
    const { settings, store, box, dispatcher, options } = this.#deps;
    const githubToken: GitHubToken = { value: token, origin: "device-flow", label: "the new sign-in" };
    const api = { endpoints: settings.endpoints, identity: settings.identity, dispatcher, githubToken };
    const who = await fetchGitHubUser(api);
    const login = who.login;
    const now = this.#now();
    const refuse = async (message: string, detail: string): Promise<SignInProgress> => {
      const audit: AuditInput = {
        at: now,
        actor: login,
        action: "sign_in_refused",
        detail,
        ...(address && { address }),
      };
      await store.endSignIn(signIn.id, { status: "refused", login, message }, audit);
      return { status: "refused", message };
    };
    const existing = await store.getUser(login);
    if (existing?.disabledAt !== undefined) {
      return refuse(
        `An admin of this gateway revoked ${login}'s access; ask an admin to restore it (\`copilot-gateway team enable ${login}\`).`,
        "disabled",
      );
    }
    let orgs = existing?.orgs ?? [];
    if (options.allowOrgs.length > 0) {
      orgs = await fetchGitHubOrgs(api);
      if (!isMember(orgs, options.allowOrgs)) {
        return refuse(
          `${login} is not a member of ${options.allowOrgs.join(" or ")}, so this gateway gives them no key; ask an organisation owner to add you, then sign in again.`,
          `not a member of ${options.allowOrgs.join(", ")}`,
        );
      }
    }
    if (options.billing === "seat") {
      try {
        await exchangeCopilotToken(api);
      } catch (error) {
        if (!(error instanceof TokenExchangeError)) throw error;
        return refuse(
          `${login} cannot use Copilot with their own seat (${error.message.replace(/^the token from the new sign-in /, "")}); this gateway bills each person's seat.`,
          `no Copilot: ${error.code}`,
        );
      }
    }
    const key = generatePersonalKey();
    const keyId = newKeyId();
    const pageSession = signIn.via === "page" ? randomBytes(32).toString("base64url") : undefined;
    const base = { at: now, actor: login, ...(address && { address }) };
    await store.completeSignIn({
      signInId: signIn.id,
      user: {
        login,
        githubId: who.id ?? 0,
        orgs,
        createdAt: now,
        lastSignInAt: now,
      },
      token: {
        login,
        sealed: box.seal(token, githubTokenContext(login)),
        host: settings.endpoints.host,
        ...(scopes && { scopes }),
        updatedAt: now,
      },
      key: {
        id: keyId,
        login,
        name: signIn.keyName,
        hash: hashSecret(key),
        hint: personalKeyHint(key),
        createdAt: now,
      },
      session: pageSession
        ? { id: hashSecret(pageSession), login, createdAt: now, expiresAt: now + options.pageSessionMs }
        : undefined,
      audit: [
        { ...base, action: "sign_in", detail: `via ${signIn.via}` },
        { ...base, action: "key_created", detail: signIn.keyName },
      ],
    });
    this.#deps.onSignedIn(login);
    return { status: "complete", login, key, keyId, ...(pageSession && { pageSession }) };
  }
}

/** Organisation logins compare case-insensitively, as GitHub treats them. */
export function isMember(orgs: readonly string[], allowed: readonly string[]): boolean {
  const mine = new Set(orgs.map((o) => o.toLowerCase()));
  return allowed.some((o) => mine.has(o.toLowerCase()));
}

export function unknownSignIn(): GatewayError {
  return new GatewayError(
    "sign_in_unknown",
    "No such sign-in on this gateway (it finished long ago or never started); start a new one.",
    { status: 404 },
  );
}
