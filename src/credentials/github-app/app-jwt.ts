import { createPrivateKey, createSign, type KeyObject } from "node:crypto";
import { UsageError } from "../../errors.js";

/** GitHub refuses an App JWT whose `exp` is more than 600 s after its `iat` (spec §9, step 2). */
export const APP_JWT_MAX_SPAN_SECONDS = 600;
/** `iat` is back-dated this much to tolerate a little clock skew, as GitHub recommends. */
export const APP_JWT_BACKDATE_SECONDS = 60;

/**
 * Read an App's private key (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY` PEM). A PEM pasted into an env
 * variable often arrives with literal `\n` for its line breaks, or with CRLFs: both are repaired. `from` names the
 * setting in the error.
 */
export function parseAppPrivateKey(text: string, from: string): KeyObject {
  const pem = text.replace(/\\r/g, "").replace(/\\n/g, "\n").replace(/\r\n?/g, "\n").trim();
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem))
    throw new UsageError(
      `${from} is not a PEM private key (expected "-----BEGIN RSA PRIVATE KEY-----" or "-----BEGIN PRIVATE KEY-----"); download the key from the App's settings page (Private keys → Generate).`,
      "github_app_key_invalid",
    );
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new UsageError(
      `${from} holds a PEM block that is not a readable private key (${(error as Error).message}); download a fresh key from the App's settings page.`,
      "github_app_key_invalid",
    );
  }
  if (key.asymmetricKeyType !== "rsa")
    throw new UsageError(
      `${from} is a ${key.asymmetricKeyType ?? "non-RSA"} key; GitHub App keys are RSA (RS256).`,
      "github_app_key_invalid",
    );
  return key;
}

const base64url = (input: string | Buffer) => Buffer.from(input).toString("base64url");

/**
 * Sign the App's JWT (RS256) with `node:crypto`: `iss` the App id (a number) or client id (a string),
 * `iat` = now − 60 s, `exp` = `iat` + 600 s at most. `nowMs` is GitHub's clock when known (our clock corrected by
 * the drift seen in its `Date` header).
 */
export function signAppJwt(options: {
  appId: string;
  key: KeyObject;
  nowMs: number;
  spanSeconds?: number;
}): string {
  const iat = Math.floor(options.nowMs / 1000) - APP_JWT_BACKDATE_SECONDS;
  const span = Math.min(options.spanSeconds ?? APP_JWT_MAX_SPAN_SECONDS, APP_JWT_MAX_SPAN_SECONDS);
  const iss = /^\d+$/.test(options.appId) ? Number(options.appId) : options.appId;
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify({ iat, exp: iat + span, iss }));
  const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(options.key);
  return `${header}.${payload}.${base64url(signature)}`;
}
