import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSecretBox, deriveBoxKey, SecretBoxError } from "../../src/team/secret-box.js";
import { loadSecretKeys, rotateSecretKeyFile, secretKeyFilePath } from "../../src/team/secret-keys.js";

const OLD = "old-secret-old-secret-old-secret-0001";
const NEW = "new-secret-new-secret-new-secret-0002";
const TOKEN = "gho_alice000000000000000000000000000000";

describe("secret box (AES-256-GCM)", () => {
  it("seals to text holding no trace of the secret, and opens it again", () => {
    const box = createSecretBox([deriveBoxKey(NEW)]);
    const sealed = box.seal(TOKEN, "alice");
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("gho_");
    expect(box.seal(TOKEN, "alice")).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed, "alice")).toBe(TOKEN);
    expect(box.isStale(sealed)).toBe(false);
  });

  it("refuses a value moved to another person's row, tampered with, or sealed by an unknown key", () => {
    const box = createSecretBox([deriveBoxKey(NEW)]);
    const sealed = box.seal(TOKEN, "alice");
    expect(() => box.open(sealed, "bob")).toThrow(SecretBoxError);
    const flipped = `${sealed.slice(0, -2)}${sealed.endsWith("A") ? "B" : "A"}${sealed.slice(-1)}`;
    expect(() => box.open(flipped, "alice")).toThrow(/integrity check; sign in again/);
    const other = createSecretBox([deriveBoxKey(OLD)]);
    expect(() => other.open(sealed, "alice")).toThrow(/no longer has .*COPILOT_GATEWAY_SECRET_PREVIOUS/);
    expect(() => box.open("plain", "alice")).toThrow(SecretBoxError);
  });

  it("rotation: the old key still opens what it sealed, new seals use the new key", () => {
    const before = createSecretBox([deriveBoxKey(OLD)]);
    const oldSealed = before.seal(TOKEN, "alice");
    const after = createSecretBox([deriveBoxKey(NEW), deriveBoxKey(OLD)]);
    expect(after.open(oldSealed, "alice")).toBe(TOKEN);
    expect(after.isStale(oldSealed)).toBe(true);
    const resealed = after.seal(TOKEN, "alice");
    expect(after.isStale(resealed)).toBe(false);
    expect(resealed.split(".")[1]).toBe(after.keyId);
    expect(() => before.open(resealed, "alice")).toThrow(SecretBoxError);
  });
});

describe("secret keys: environment or key file", () => {
  const dirs: string[] = [];
  const home = () => {
    const d = mkdtempSync(join(tmpdir(), "cgw-secret-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("uses COPILOT_GATEWAY_SECRET and COPILOT_GATEWAY_SECRET_PREVIOUS, writing no file", () => {
    const dir = home();
    const keys = loadSecretKeys(dir, { COPILOT_GATEWAY_SECRET: NEW, COPILOT_GATEWAY_SECRET_PREVIOUS: OLD });
    expect(keys.origin).toBe("env");
    expect(keys.keys).toEqual([deriveBoxKey(NEW), deriveBoxKey(OLD)]);
    expect(() => statSync(secretKeyFilePath(dir))).toThrow();
  });

  it("refuses a short secret in one line", () => {
    expect(() => loadSecretKeys(home(), { COPILOT_GATEWAY_SECRET: "short" })).toThrow(
      "COPILOT_GATEWAY_SECRET is 5 characters; use at least 32 random characters (e.g. `openssl rand -base64 32`).",
    );
  });

  it("generates a 0600 key file once and reads the same key afterwards", () => {
    const dir = home();
    const first = loadSecretKeys(dir, {});
    expect(first).toMatchObject({ origin: "file", created: true, path: secretKeyFilePath(dir) });
    expect(statSync(secretKeyFilePath(dir)).mode & 0o777).toBe(0o600);
    const second = loadSecretKeys(dir, {});
    expect(second.created).toBeUndefined();
    expect(second.keys).toEqual(first.keys);
  });

  it("rotating the key file puts a new key first and keeps the old one for opening", () => {
    const dir = home();
    const before = createSecretBox(loadSecretKeys(dir, {}).keys);
    const sealed = before.seal(TOKEN, "alice");
    const rotated = rotateSecretKeyFile(dir);
    expect(rotated.kept).toBe(1);
    const after = createSecretBox(loadSecretKeys(dir, {}).keys);
    expect(after.keyId).toBe(rotated.keyId);
    expect(after.keyId).not.toBe(before.keyId);
    expect(after.open(sealed, "alice")).toBe(TOKEN);
    expect(statSync(secretKeyFilePath(dir)).mode & 0o777).toBe(0o600);
  });

  it("a damaged key file is one line naming the file and the way out", () => {
    const dir = home();
    loadSecretKeys(dir, {});
    writeFileSync(secretKeyFilePath(dir), "not-a-key\n");
    expect(() => loadSecretKeys(dir, {})).toThrow(
      /is damaged .* or remove it and have everybody sign in again/,
    );
    expect(readFileSync(secretKeyFilePath(dir), "utf8")).toBe("not-a-key\n");
  });
});
