import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApiKeyRecord, AuditInput, PendingSignIn, SealedGitHubToken } from "../../src/store/records.js";
import type { CompleteSignInInput, Store } from "../../src/store/store.js";

/** What a store implementation's test gives the contract: a fresh, empty store, and optionally a way to reopen it. */
export interface StoreFixture {
  store: Store;
  /** Close and open the same data again (persistence). Omit for a store that has no such notion. */
  reopen?: () => Promise<Store>;
  /** Remove everything the fixture made (files, keys, processes it started). */
  dispose: () => Promise<void>;
}

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);
const hex = (c: string) => c.repeat(64);

function signIn(id: string, overrides: Partial<PendingSignIn> = {}): PendingSignIn {
  return {
    id,
    via: "connect",
    keyName: "laptop",
    sealedDeviceCode: "v1.aaaaaaaa.sealed-device-code",
    userCode: "ABCD-1234",
    verificationUri: "https://github.com/login/device",
    intervalSeconds: 5,
    createdAt: T0,
    expiresAt: T0 + 900_000,
    nextPollAt: T0,
    status: "pending",
    ...overrides,
  };
}

function key(id: string, login: string, hashChar: string, createdAt = T0): ApiKeyRecord {
  return { id, login, name: `key ${id}`, hash: hex(hashChar), hint: "wxyz", createdAt };
}

function token(login: string, sealed = `v1.aaaaaaaa.sealed-for-${login}`): SealedGitHubToken {
  return { login, sealed, host: "github.com", scopes: "read:user,read:org", updatedAt: T0 };
}

function audit(action: AuditInput["action"], actor: string, at = T0, subject?: string): AuditInput {
  return { at, actor, action, ...(subject && { subject }) };
}

function completion(
  signInId: string,
  login: string,
  keyRecord: ApiKeyRecord,
  extra: Partial<CompleteSignInInput> = {},
): CompleteSignInInput {
  return {
    signInId,
    user: { login, githubId: login.length * 1000, orgs: ["acme"], createdAt: T0, lastSignInAt: T0 },
    token: token(login),
    key: keyRecord,
    audit: [audit("sign_in", login), audit("key_created", login)],
    ...extra,
  };
}

/** Sign a person in through the store the way the gateway does: a pending sign-in, then its completion. */
async function signInPerson(store: Store, login: string, keyRecord: ApiKeyRecord): Promise<void> {
  const id = `si-${login}-${keyRecord.id}`;
  await store.createSignIn(signIn(id));
  await store.completeSignIn(completion(id, login, keyRecord));
}

/**
 * The behaviour every `Store` implementation must have. Run it from the implementation's own test file:
 * `describeStoreContract("SQLite", async () => ({ store, reopen, dispose }))`.
 */
export function describeStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it("starts empty", async () => {
      expect(await store.listUsers()).toEqual([]);
      expect(await store.listApiKeys()).toEqual([]);
      expect(await store.listAudit({ limit: 10 })).toEqual([]);
      expect(await store.getUser("nobody")).toBeUndefined();
      expect(await store.findApiKey(hex("0"))).toBeUndefined();
      expect(await store.getSignIn("missing")).toBeUndefined();
      expect(typeof store.description).toBe("string");
    });

    it("completes a sign-in: person, sealed token, key, audit, and the sign-in marked complete", async () => {
      await store.createSignIn(signIn("s1"));
      expect(await store.getSignIn("s1")).toEqual(signIn("s1"));
      const user = await store.completeSignIn(completion("s1", "Alice", key("k1", "Alice", "a")));
      expect(user).toEqual({
        login: "Alice",
        githubId: 5000,
        orgs: ["acme"],
        createdAt: T0,
        lastSignInAt: T0,
      });
      expect(await store.getUser("alice")).toEqual(user);
      expect((await store.getSignIn("s1"))?.status).toBe("complete");
      expect((await store.getSignIn("s1"))?.login).toBe("Alice");
      expect(await store.getGitHubToken("ALICE")).toEqual(token("Alice"));
      expect(await store.findApiKey(hex("a"))).toEqual({ key: key("k1", "Alice", "a"), user });
      const log = await store.listAudit({ limit: 10 });
      expect(log.map((e) => e.action)).toEqual(["key_created", "sign_in"]);
      expect(log[0]).toMatchObject({ at: T0, actor: "Alice", action: "key_created" });
      expect(typeof log[0]!.id).toBe("string");
    });

    it("a sign-in completes once: the second attempt fails and changes nothing", async () => {
      await store.createSignIn(signIn("s1"));
      await store.completeSignIn(completion("s1", "alice", key("k1", "alice", "a")));
      await expect(
        store.completeSignIn(completion("s1", "mallory", key("k2", "mallory", "b"))),
      ).rejects.toThrow();
      expect(await store.getUser("mallory")).toBeUndefined();
      expect(await store.findApiKey(hex("b"))).toBeUndefined();
      expect(await store.listAudit({ limit: 10 })).toHaveLength(2);
    });

    it("a sign-in whose key collides with an existing hash stores nothing (one atomic step)", async () => {
      await signInPerson(store, "alice", key("k1", "alice", "a"));
      await store.createSignIn(signIn("s2"));
      await expect(store.completeSignIn(completion("s2", "bob", key("k2", "bob", "a")))).rejects.toThrow();
      expect(await store.getUser("bob")).toBeUndefined();
      expect(await store.getGitHubToken("bob")).toBeUndefined();
      expect((await store.getSignIn("s2"))?.status).toBe("pending");
      expect(await store.listAudit({ limit: 10 })).toHaveLength(2);
    });

    it("signing in again keeps createdAt and lastUsedAt, updates orgs and token, adds a key", async () => {
      await signInPerson(store, "alice", key("k1", "alice", "a"));
      await store.recordUsage({
        login: "alice",
        model: "gpt-4.1",
        day: "2026-11-29",
        requests: 1,
        inputTokens: 1,
        outputTokens: 1,
        cachedTokens: 0,
        at: T0 + 5,
      });
      await store.createSignIn(signIn("s2"));
      const later = T0 + 60_000;
      const user = await store.completeSignIn({
        ...completion("s2", "Alice", key("k2", "Alice", "b", later)),
        user: {
          login: "Alice",
          githubId: 5000,
          orgs: ["acme", "beta"],
          createdAt: later,
          lastSignInAt: later,
        },
        token: token("Alice", "v1.aaaaaaaa.second"),
      });
      expect(user).toMatchObject({
        createdAt: T0,
        lastSignInAt: later,
        lastUsedAt: T0 + 5,
        orgs: ["acme", "beta"],
      });
      expect((await store.getGitHubToken("alice"))?.sealed).toBe("v1.aaaaaaaa.second");
      expect((await store.listApiKeys("alice")).map((k) => k.id)).toEqual(["k2", "k1"]);
      expect(await store.listUsers()).toHaveLength(1);
    });

    it("lists people and keys; keys newest first, per person or for everybody", async () => {
      await signInPerson(store, "bob", key("kb", "bob", "b", T0 + 1));
      await signInPerson(store, "alice", key("ka", "alice", "a", T0 + 2));
      await store.createApiKey(key("ka2", "alice", "c", T0 + 3), audit("key_created", "alice"));
      expect((await store.listUsers()).map((u) => u.login).sort()).toEqual(["alice", "bob"]);
      expect((await store.listApiKeys()).map((k) => k.id)).toEqual(["ka2", "ka", "kb"]);
      expect((await store.listApiKeys("ALICE")).map((k) => k.id)).toEqual(["ka2", "ka"]);
      expect(await store.listApiKeys("nobody")).toEqual([]);
    });

    it("refuses a key for a person who never signed in", async () => {
      await expect(
        store.createApiKey(key("k1", "ghost", "a"), audit("key_created", "ghost")),
      ).rejects.toThrow();
      expect(await store.findApiKey(hex("a"))).toBeUndefined();
    });

    it("revokes a key once, keeping the first revocation, with one audit entry", async () => {
      await signInPerson(store, "alice", key("k1", "alice", "a"));
      const revoked = await store.revokeApiKey(
        "k1",
        "admin",
        T0 + 10,
        audit("key_revoked", "admin", T0 + 10, "alice"),
      );
      expect(revoked).toMatchObject({ id: "k1", revokedAt: T0 + 10, revokedBy: "admin" });
      const again = await store.revokeApiKey(
        "k1",
        "other",
        T0 + 20,
        audit("key_revoked", "other", T0 + 20, "alice"),
      );
      expect(again).toMatchObject({ revokedAt: T0 + 10, revokedBy: "admin" });
      expect((await store.findApiKey(hex("a")))?.key.revokedAt).toBe(T0 + 10);
      expect(await store.revokeApiKey("nope", "admin", T0, audit("key_revoked", "admin"))).toBeUndefined();
      const log = await store.listAudit({ limit: 10 });
      expect(log.filter((e) => e.action === "key_revoked")).toHaveLength(1);
    });

    it("disables a person: keys revoked, token and page sessions gone, audit written; enable lets them back", async () => {
      await signInPerson(store, "alice", key("k1", "alice", "a"));
      await store.createApiKey(key("k2", "alice", "b", T0 + 1), audit("key_created", "alice"));
      await signInPerson(store, "bob", key("kb", "bob", "c"));
      await store.createPageSession({ id: "sess-a", login: "alice", createdAt: T0, expiresAt: T0 + 1000 });
      const revoked = await store.disableUser(
        "Alice",
        "admin",
        T0 + 50,
        audit("user_disabled", "admin", T0 + 50, "alice"),
      );
      expect(revoked?.map((k) => k.id).sort()).toEqual(["k1", "k2"]);
      expect(await store.getUser("alice")).toMatchObject({ disabledAt: T0 + 50, disabledBy: "admin" });
      expect((await store.findApiKey(hex("a")))?.key.revokedAt).toBe(T0 + 50);
      expect((await store.findApiKey(hex("a")))?.user.disabledAt).toBe(T0 + 50);
      expect(await store.getGitHubToken("alice")).toBeUndefined();
      expect(await store.getPageSession("sess-a")).toBeUndefined();
      // Bob is untouched.
      expect((await store.findApiKey(hex("c")))?.key.revokedAt).toBeUndefined();
      expect(await store.getGitHubToken("bob")).toBeDefined();
      expect(await store.disableUser("ghost", "admin", T0, audit("user_disabled", "admin"))).toBeUndefined();

      expect(await store.enableUser("alice", audit("user_enabled", "admin", T0 + 60, "alice"))).toBe(true);
      const user = await store.getUser("alice");
      expect(user?.disabledAt).toBeUndefined();
      expect(user?.disabledBy).toBeUndefined();
      expect((await store.findApiKey(hex("a")))?.key.revokedAt).toBe(T0 + 50);
      expect(await store.enableUser("ghost", audit("user_enabled", "admin"))).toBe(false);
      const actions = (await store.listAudit({ limit: 20 })).map((e) => e.action);
      expect(actions.slice(0, 2)).toEqual(["user_enabled", "user_disabled"]);
    });

    it("replaces a sealed token and records org changes", async () => {
      await signInPerson(store, "alice", key("k1", "alice", "a"));
      await store.putGitHubToken({ ...token("alice", "v1.bbbbbbbb.resealed"), updatedAt: T0 + 9 });
      expect(await store.getGitHubToken("alice")).toMatchObject({
        sealed: "v1.bbbbbbbb.resealed",
        updatedAt: T0 + 9,
      });
      await store.setUserOrgs("ALICE", ["other"]);
      expect((await store.getUser("alice"))?.orgs).toEqual(["other"]);
    });

    it("lets exactly one of two simultaneous pollers claim a sign-in poll, and only when due", async () => {
      await store.createSignIn(signIn("s1", { nextPollAt: T0 }));
      const claims = await Promise.all([
        store.claimSignInPoll("s1", T0, T0 + 5000),
        store.claimSignInPoll("s1", T0, T0 + 5000),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await store.getSignIn("s1"))?.nextPollAt).toBe(T0 + 5000);
      expect(await store.claimSignInPoll("s1", T0 + 4999, T0 + 10_000)).toBe(false);
      expect(await store.claimSignInPoll("s1", T0 + 5000, T0 + 10_000)).toBe(true);
      await store.setSignInInterval("s1", 10, T0 + 20_000);
      expect(await store.getSignIn("s1")).toMatchObject({ intervalSeconds: 10, nextPollAt: T0 + 20_000 });
      expect(await store.claimSignInPoll("missing", T0, T0)).toBe(false);
    });

    it("ends a sign-in without a key once, with its audit entry", async () => {
      await store.createSignIn(signIn("s1"));
      await store.endSignIn(
        "s1",
        { status: "refused", login: "eve", message: "not a member of acme" },
        audit("sign_in_refused", "eve"),
      );
      expect(await store.getSignIn("s1")).toMatchObject({
        status: "refused",
        login: "eve",
        message: "not a member of acme",
      });
      await store.endSignIn("s1", { status: "expired" }, audit("sign_in_refused", "eve"));
      expect((await store.getSignIn("s1"))?.status).toBe("refused");
      expect(await store.claimSignInPoll("s1", T0 + 999_999, T0)).toBe(false);
      expect(await store.listAudit({ limit: 10 })).toHaveLength(1);
      await expect(store.completeSignIn(completion("s1", "eve", key("k1", "eve", "a")))).rejects.toThrow();
      expect(await store.getUser("eve")).toBeUndefined();
    });

    it("forgets old sign-ins", async () => {
      await store.createSignIn(signIn("old", { createdAt: T0 - 10 }));
      await store.createSignIn(signIn("new", { createdAt: T0 }));
      expect(await store.deleteSignInsBefore(T0)).toBe(1);
      expect(await store.getSignIn("old")).toBeUndefined();
      expect(await store.getSignIn("new")).toBeDefined();
    });

    it("keeps page sessions, and a sign-in can create one", async () => {
      await store.createSignIn(signIn("s1", { via: "page" }));
      const session = { id: "sess-1", login: "alice", createdAt: T0, expiresAt: T0 + 3600_000 };
      await store.completeSignIn({ ...completion("s1", "alice", key("k1", "alice", "a")), session });
      expect(await store.getPageSession("sess-1")).toEqual(session);
      await store.createPageSession({ ...session, id: "sess-2" });
      await store.deletePageSession("sess-1");
      expect(await store.getPageSession("sess-1")).toBeUndefined();
      expect(await store.getPageSession("sess-2")).toEqual({ ...session, id: "sess-2" });
    });

    it("adds usage per person, model and day, and sets last-used on the person and the key", async () => {
      await signInPerson(store, "alice", key("k1", "alice", "a"));
      await signInPerson(store, "bob", key("kb", "bob", "b"));
      const base = { inputTokens: 10, outputTokens: 5, cachedTokens: 2, requests: 1 };
      await store.recordUsage({
        ...base,
        login: "alice",
        model: "gpt-4.1",
        day: "2026-11-28",
        at: T0 - 86_400_000,
        keyId: "k1",
      });
      await store.recordUsage({
        ...base,
        login: "alice",
        model: "gpt-4.1",
        day: "2026-11-29",
        at: T0 + 1,
        keyId: "k1",
      });
      await store.recordUsage({
        ...base,
        login: "Alice",
        model: "gpt-4.1",
        day: "2026-11-29",
        at: T0 + 2,
        keyId: "k1",
      });
      await store.recordUsage({
        ...base,
        login: "alice",
        model: "claude-sonnet-4",
        day: "2026-11-29",
        at: T0 + 3,
      });
      await store.recordUsage({
        ...base,
        login: "bob",
        model: "gpt-4.1",
        day: "2026-11-29",
        at: T0 + 4,
        keyId: "kb",
      });
      // An older event arriving late does not move last-used back.
      await store.recordUsage({
        ...base,
        requests: 0,
        login: "alice",
        model: "gpt-4.1",
        day: "2026-11-29",
        at: T0 - 5,
      });

      expect(await store.usage({ login: "ALICE", fromDay: "2026-11-29", toDay: "2026-11-29" })).toEqual([
        {
          login: "alice",
          model: "claude-sonnet-4",
          day: "2026-11-29",
          requests: 1,
          inputTokens: 10,
          outputTokens: 5,
          cachedTokens: 2,
        },
        {
          login: "alice",
          model: "gpt-4.1",
          day: "2026-11-29",
          requests: 2,
          inputTokens: 30,
          outputTokens: 15,
          cachedTokens: 6,
        },
      ]);
      const everybody = await store.usage({ fromDay: "2026-11-01", toDay: "2026-11-30" });
      expect(everybody.map((r) => `${r.day} ${r.login} ${r.model} ${r.requests}`)).toEqual([
        "2026-11-28 alice gpt-4.1 1",
        "2026-11-29 alice claude-sonnet-4 1",
        "2026-11-29 alice gpt-4.1 2",
        "2026-11-29 bob gpt-4.1 1",
      ]);
      expect((await store.getUser("alice"))?.lastUsedAt).toBe(T0 + 3);
      expect((await store.listApiKeys("alice"))[0]?.lastUsedAt).toBe(T0 + 2);
      expect((await store.listApiKeys("bob"))[0]?.lastUsedAt).toBe(T0 + 4);
    });

    it("reads the audit log newest first, limited, and filtered by person (actor or subject)", async () => {
      for (let i = 0; i < 5; i++) await store.appendAudit(audit("sign_in", `user${i}`, T0 + i));
      await store.appendAudit({
        at: T0 + 9,
        actor: "admin",
        action: "user_disabled",
        subject: "User1",
        detail: "left",
        address: "10.0.0.1",
      });
      const last = await store.listAudit({ limit: 3 });
      expect(last.map((e) => e.actor)).toEqual(["admin", "user4", "user3"]);
      expect(last[0]).toMatchObject({ subject: "User1", detail: "left", address: "10.0.0.1" });
      const ids = (await store.listAudit({ limit: 100 })).map((e) => e.id);
      expect(new Set(ids).size).toBe(6);
      const aboutUser1 = await store.listAudit({ limit: 10, login: "user1" });
      expect(aboutUser1.map((e) => e.action)).toEqual(["user_disabled", "sign_in"]);
    });

    it("keeps everything across a reopen", async (ctx) => {
      if (!fixture.reopen) ctx.skip();
      await signInPerson(store, "alice", key("k1", "alice", "a"));
      store = await fixture.reopen!();
      expect((await store.getUser("alice"))?.login).toBe("alice");
      expect((await store.findApiKey(hex("a")))?.key.id).toBe("k1");
      expect(await store.getGitHubToken("alice")).toEqual(token("alice"));
    });
  });
}
