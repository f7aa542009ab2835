import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL("package-lock.json", root), "utf8")) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};

const parts = (v: string) => v.replace(/\.x$/, "").split(".").map(Number);
function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** Whether one `||` alternative of an engines range admits `version` (the forms npm packages use here). */
function admits(range: string, version: number[]): boolean {
  const r = range.trim().replace(/\s+/g, "");
  if (r === "*" || r === "") return true;
  let m = /^>=(\d+(?:\.\d+){0,2}(?:\.x)?)$/.exec(r);
  if (m?.[1]) return compare(version, parts(m[1])) >= 0;
  m = /^\^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(r);
  if (m?.[1]) return version[0] === Number(m[1]) && compare(version, parts(r.slice(1))) >= 0;
  m = /^(\d+)\.x$/.exec(r);
  if (m?.[1]) return version[0] === Number(m[1]);
  throw new Error(`engines range form not understood: ${range}`);
}

/** Locked packages (optional ones aside) whose engines.node admits no alternative for `version`. */
function refusing(version: number[]): string[] {
  return Object.entries(lock.packages)
    .filter(([, p]) => !Array.isArray(p.engines) && p.engines?.node && !p.optional)
    .filter(([, p]) => {
      const node = (p.engines as { node: string }).node;
      return !node.split("||").some((alt) => admits(alt, version));
    })
    .map(([name, p]) => `${name} wants node ${(p.engines as { node: string }).node}`);
}

describe("the dependency tree is honest for the Node versions we declare", () => {
  it("no installed package asks for a newer Node than package.json's lowest (npm ci shows no EBADENGINE)", () => {
    const lowest = parts(/^>=(\S+)$/.exec(pkg.engines.node)?.[1] ?? "");
    expect(lowest.length).toBeGreaterThan(1);
    expect(refusing(lowest)).toEqual([]);
  });

  // .ci/run also runs `npm ci` and the suite on these LTS lines (the npm registry's `node` package); a package
  // whose engines leave one out (as better-sqlite3 13 leaves out 20) is caught here without that run.
  it.each([24, 26])("every installed package also admits Node %i from its first release", (major) => {
    expect(refusing([major, 0, 0])).toEqual([]);
  });
});
