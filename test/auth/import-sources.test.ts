import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseImport, findImportableTokens, githubCopilotConfigDir } from "../../src/auth/import-sources.js";

function home() {
  const dir = mkdtempSync(join(tmpdir(), "cg-import-"));
  mkdirSync(join(dir, ".config", "github-copilot"), { recursive: true });
  return dir;
}

describe("findImportableTokens", () => {
  it("finds apps.json, hosts.json and copilot-api tokens for github.com, without duplicates", () => {
    const h = home();
    const config = join(h, ".config", "github-copilot");
    writeFileSync(
      join(config, "apps.json"),
      JSON.stringify({
        "github.com:Iv1.b507a08c87ecfe98": {
          user: "octocat",
          oauth_token: "ghu_apps",
          githubAppId: "Iv1.b507a08c87ecfe98",
        },
        "acme.ghe.com:Iv1.b507a08c87ecfe98": { user: "other", oauth_token: "ghu_ghe" },
      }),
    );
    writeFileSync(
      join(config, "hosts.json"),
      JSON.stringify({
        "github.com": { user: "octocat", oauth_token: "ghu_apps" },
        "x.ghe.com": { oauth_token: "y" },
      }),
    );
    mkdirSync(join(h, ".local", "share", "copilot-api"), { recursive: true });
    writeFileSync(join(h, ".local", "share", "copilot-api", "github_token"), "ghu_api\n");
    const found = findImportableTokens("github.com", { HOME: h });
    expect(found.map((c) => [c.token, c.user])).toEqual([
      ["ghu_apps", "octocat"],
      ["ghu_api", undefined],
    ]);
    expect(found[0]?.label).toBe(`GitHub Copilot's apps.json (${join(config, "apps.json")})`);
  });

  it("matches GHE.com hosts by key and skips copilot-api (which records no host)", () => {
    const h = home();
    const config = join(h, ".config", "github-copilot");
    writeFileSync(
      join(config, "hosts.json"),
      JSON.stringify({ "acme.ghe.com": { user: "me", oauth_token: "ghu_ghe" } }),
    );
    mkdirSync(join(h, ".local", "share", "copilot-api"), { recursive: true });
    writeFileSync(join(h, ".local", "share", "copilot-api", "github_token"), "ghu_api");
    expect(findImportableTokens("acme.ghe.com", { HOME: h }).map((c) => c.token)).toEqual(["ghu_ghe"]);
  });

  it("ignores missing and malformed files", () => {
    const h = home();
    writeFileSync(join(h, ".config", "github-copilot", "apps.json"), "{oops");
    writeFileSync(
      join(h, ".config", "github-copilot", "hosts.json"),
      JSON.stringify({ "github.com": { user: "x" } }),
    );
    expect(findImportableTokens("github.com", { HOME: h })).toEqual([]);
  });

  it("follows XDG_CONFIG_HOME and LOCALAPPDATA on Windows", () => {
    expect(githubCopilotConfigDir({ XDG_CONFIG_HOME: "/x", HOME: "/h" }, "linux")).toBe("/x/github-copilot");
    expect(githubCopilotConfigDir({ HOME: "/h" }, "linux")).toBe("/h/.config/github-copilot");
    expect(githubCopilotConfigDir({ LOCALAPPDATA: "C:\\L", HOME: "/h" }, "win32")).toBe(
      join("C:\\L", "github-copilot"),
    );
  });
});

describe("chooseImport", () => {
  const candidates = [
    { token: "a", label: "A", path: "/a", user: "octocat" },
    { token: "b", label: "B", path: "/b", user: undefined },
  ];

  it("--import takes the first without asking", async () => {
    const asked: string[] = [];
    const confirm = async (q: string) => {
      asked.push(q);
      return false;
    };
    expect(await chooseImport({ candidates, importWithoutAsking: true, interactive: false, confirm })).toBe(
      candidates[0],
    );
    expect(asked).toEqual([]);
  });

  it("never asks without a TTY", async () => {
    const asked: string[] = [];
    const confirm = async (q: string) => {
      asked.push(q);
      return true;
    };
    expect(
      await chooseImport({ candidates, importWithoutAsking: false, interactive: false, confirm }),
    ).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it("on a TTY asks for each candidate until one is confirmed", async () => {
    const asked: string[] = [];
    const confirm = async (q: string) => {
      asked.push(q);
      return asked.length === 2;
    };
    expect(await chooseImport({ candidates, importWithoutAsking: false, interactive: true, confirm })).toBe(
      candidates[1],
    );
    expect(asked).toEqual(["Import the GitHub token for octocat from A?", "Import the GitHub token from B?"]);
  });
});
