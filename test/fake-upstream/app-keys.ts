import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A test GitHub App's key pair (RSA 2048), made once per test file. The fake verifies JWTs with the public half. */
export interface TestAppKeys {
  publicKey: KeyObject;
  /** PKCS#1 PEM, as GitHub's "Generate a private key" downloads it. */
  pkcs1Pem: string;
  pkcs8Pem: string;
  /** A 0600 file holding the PKCS#1 PEM. */
  pemFile: string;
}

export function makeTestAppKeys(): TestAppKeys {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pkcs1Pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const pkcs8Pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const pemFile = join(mkdtempSync(join(tmpdir(), "cg-app-key-")), "app.private-key.pem");
  writeFileSync(pemFile, pkcs1Pem, { mode: 0o600 });
  return { publicKey, pkcs1Pem, pkcs8Pem, pemFile };
}
