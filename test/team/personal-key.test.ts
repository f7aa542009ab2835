import { describe, expect, it } from "vitest";
import {
  generatePersonalKey,
  hashSecret,
  isPersonalKey,
  newKeyId,
  PERSONAL_KEY_PATTERN,
  personalKeyHint,
} from "../../src/team/personal-key.js";

describe("personal keys", () => {
  it("are cgw_ and 43 base62 characters, all different", () => {
    const keys = Array.from({ length: 200 }, generatePersonalKey);
    for (const key of keys) expect(key).toMatch(/^cgw_[0-9A-Za-z]{43}$/);
    expect(new Set(keys).size).toBe(200);
    // Every base62 character shows up across 8600 draws (no alphabet slice is missing).
    expect(new Set(keys.join("").replaceAll("cgw_", "")).size).toBe(62);
  });

  it("are recognised by shape only", () => {
    expect(isPersonalKey(generatePersonalKey())).toBe(true);
    expect(isPersonalKey(`cgw_${"a".repeat(42)}`)).toBe(false);
    expect(isPersonalKey(`cgw_${"a".repeat(42)}-`)).toBe(false);
    expect(PERSONAL_KEY_PATTERN.test("gho_abc")).toBe(false);
  });

  it("are stored as a SHA-256 hex hash with a 4-character hint", () => {
    expect(hashSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(personalKeyHint("cgw_abcdWXYZ")).toBe("WXYZ");
    expect(newKeyId()).toMatch(/^key_[0-9A-Za-z]{12}$/);
  });
});
