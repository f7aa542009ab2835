import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  deleteStoredGitHubToken,
  parseStoredToken,
  readStoredGitHubToken,
  saveGitHubToken,
  storedTokenPath,
} from "../../src/auth/token-store.js";

const mode = (path: string) => statSync(path).mode & 0o777;

let home: string;
let warnings: string[];
const location = () => ({ homeDir: home, host: "github.com", warn: (m: string) => warnings.push(m) });

beforeEach(() => {
  home = join(mkdtempSync(join(tmpdir(), "cg-store-")), "state");
  warnings = [];
});

describe("token store", () => {
  it("writes a 0600 file in a 0700 directory, one per host, and reads it back", () => {
    const path = saveGitHubToken(location(), { token: "gho_abc", login: "octocat" });
    saveGitHubToken({ ...location(), host: "acme.ghe.com" }, { token: "gho_other" });
    expect(path).toBe(join(home, "tokens", "github.com.json"));
    expect(mode(path)).toBe(0o600);
    expect(mode(join(home, "tokens"))).toBe(0o700);
    expect(readStoredGitHubToken(location())).toMatchObject({
      token: "gho_abc",
      host: "github.com",
      login: "octocat",
      source: "device-flow",
    });
    expect(readStoredGitHubToken({ ...location(), host: "acme.ghe.com" })?.token).toBe("gho_other");
    expect(warnings).toEqual([]);
  });

  it("replaces the file atomically and leaves no temporary file behind", () => {
    saveGitHubToken(location(), { token: "gho_first" });
    saveGitHubToken(location(), { token: "gho_second" });
    expect(readdirSync(join(home, "tokens"))).toEqual(["github.com.json"]);
    expect(readStoredGitHubToken(location())?.token).toBe("gho_second");
  });

  it("tightens a token file and directory that others can read, with a warning", () => {
    const path = saveGitHubToken(location(), { token: "gho_abc" });
    chmodSync(path, 0o644);
    chmodSync(join(home, "tokens"), 0o755);
    expect(readStoredGitHubToken(location())?.token).toBe("gho_abc");
    expect(mode(path)).toBe(0o600);
    expect(mode(join(home, "tokens"))).toBe(0o700);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toBe(`${path} was readable by others (mode 644); tightened it to 600.`);
  });

  it("tightens an existing loose tokens directory when saving", () => {
    mkdirSync(join(home, "tokens"), { recursive: true, mode: 0o755 });
    chmodSync(join(home, "tokens"), 0o755);
    saveGitHubToken(location(), { token: "gho_abc" });
    expect(mode(join(home, "tokens"))).toBe(0o700);
    expect(warnings[0]).toMatch(/tokens was readable by others \(mode 755\); tightened it to 700/);
  });

  it("returns undefined when nothing is stored and says how to fix a damaged file", () => {
    expect(readStoredGitHubToken(location())).toBeUndefined();
    const path = storedTokenPath(home, "github.com");
    mkdirSync(join(home, "tokens"), { recursive: true, mode: 0o700 });
    writeFileSync(path, "{not json", { mode: 0o600 });
    expect(() => readStoredGitHubToken(location())).toThrow(
      `The stored login ${path} is damaged; run \`copilot-gateway logout\` and then \`copilot-gateway login\`.`,
    );
  });

  it("validates each field of the file: wrong types and versions are damage, unknown keys are dropped", () => {
    const file = (fields: Record<string, unknown>) =>
      JSON.stringify({ version: 1, token: "gho_x", host: "h", ...fields });
    expect(parseStoredToken(file({ extra: 1 }))).toEqual({
      token: "gho_x",
      host: "h",
      source: "device-flow",
      savedAt: "",
    });
    expect(
      parseStoredToken(file({ login: "octocat", source: "import:gh", expiresAt: "2030-01-01T00:00:00Z" })),
    ).toEqual({
      token: "gho_x",
      host: "h",
      login: "octocat",
      source: "import:gh",
      savedAt: "",
      expiresAt: "2030-01-01T00:00:00Z",
    });
    for (const damaged of [
      file({ version: 2 }),
      file({ token: "" }),
      file({ token: 7 }),
      file({ host: undefined }),
      file({ login: null }),
      file({ refreshToken: 5 }),
      "[]",
      "null",
      '"gho_x"',
    ])
      expect(parseStoredToken(damaged), damaged).toBeUndefined();
  });

  it("names the path and COPILOT_GATEWAY_HOME when the state directory cannot be used", () => {
    mkdirSync(dirname(home), { recursive: true });
    writeFileSync(home, "a file where the state directory should be");
    const path = storedTokenPath(home, "github.com");
    const advice = "; check that COPILOT_GATEWAY_HOME is a directory you can write.";
    expect(() => readStoredGitHubToken(location())).toThrow(
      `Cannot read the stored login ${path} (ENOTDIR: not a directory, open '${path}')${advice}`,
    );
    expect(() => deleteStoredGitHubToken(location())).toThrow(
      `Cannot remove the stored login ${path} (ENOTDIR: not a directory, unlink '${path}')${advice}`,
    );
    expect(() => saveGitHubToken(location(), { token: "gho_abc" })).toThrow(
      /^Cannot store the GitHub token in .*; check that COPILOT_GATEWAY_HOME is writable\.$/,
    );
  });

  it("deletes the stored login for one host only", () => {
    const path = saveGitHubToken(location(), { token: "gho_abc" });
    saveGitHubToken({ ...location(), host: "acme.ghe.com" }, { token: "gho_other" });
    expect(deleteStoredGitHubToken(location())).toBe(path);
    expect(deleteStoredGitHubToken(location())).toBeUndefined();
    expect(readStoredGitHubToken(location())).toBeUndefined();
    expect(readStoredGitHubToken({ ...location(), host: "acme.ghe.com" })?.token).toBe("gho_other");
  });

  it("never writes the token anywhere but the tokens file", () => {
    const path = saveGitHubToken(location(), { token: "gho_secret_value" });
    expect(JSON.parse(readFileSync(path, "utf8")).token).toBe("gho_secret_value");
    expect(readdirSync(home)).toEqual(["tokens"]);
  });
});
