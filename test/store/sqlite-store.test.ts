import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { describeStoreContract } from "./store-contract.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "cgw-store-"));
}

describeStoreContract("SQLite on a real file", async () => {
  const dir = tempDir();
  const path = join(dir, "team", "team.db");
  let current: Store = SqliteStore.open(path);
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = SqliteStore.open(path);
      return current;
    },
    dispose: async () => {
      await current.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("SQLite store file and migrations", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("creates the file 0600 in a 0700 directory, at the newest schema version", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, "team", "team.db");
    const store = SqliteStore.open(path);
    expect(store.schemaVersion).toBe(MIGRATIONS.at(-1)!.version);
    expect(store.description).toBe(`SQLite ${path}`);
    await store.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "team")).mode & 0o777).toBe(0o700);
  });

  it("applies new steps on open and refuses a file written by a newer version", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, "t.db");
    await SqliteStore.open(path).close();
    const next = [
      ...MIGRATIONS,
      { version: 99, name: "extra", sql: "CREATE TABLE extra (x INTEGER) STRICT;" },
    ];
    const upgraded = SqliteStore.open(path, next);
    expect(upgraded.schemaVersion).toBe(99);
    await upgraded.close();
    expect(() => SqliteStore.open(path)).toThrow(/written by a newer copilot-gateway \(schema 99/);
  });

  it("a failing step leaves the file at the previous whole version", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, "t.db");
    await SqliteStore.open(path).close();
    const broken = [
      ...MIGRATIONS,
      {
        version: 2,
        name: "half",
        sql: "CREATE TABLE half (x INTEGER) STRICT; INSERT INTO nowhere VALUES (1);",
      },
    ];
    expect(() => SqliteStore.open(path, broken)).toThrow();
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get()).toEqual({ v: 1 });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it("a damaged row is a one-line StoreError naming what to do", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, "t.db");
    await SqliteStore.open(path).close();
    const db = new Database(path);
    db.prepare(
      "INSERT INTO users (login_key, login, github_id, orgs, created_at, last_sign_in_at) VALUES ('x', '', 1, '[]', 1, 1)",
    ).run();
    db.close();
    const store = SqliteStore.open(path);
    await expect(store.getUser("x")).rejects.toMatchObject({ code: "store_row_invalid" });
    await store.close();
  });
});
