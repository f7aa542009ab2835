import { spawn } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { GitHubToken } from "../../src/auth/github-token.js";
import { resolveSettings } from "../../src/config/settings.js";
import type { CopilotToken } from "../../src/copilot/copilot-token.js";
import { exchangeCopilotToken, TokenExchangeError } from "../../src/copilot/exchange-token.js";
import {
  CopilotTokenManager,
  refreshDelayMs,
  type TokenManagerOptions,
} from "../../src/copilot/token-manager.js";
import { AbortedError } from "../../src/errors.js";
import { createDispatcher } from "../../src/http/dispatcher.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
const dispatcher = createDispatcher({ env: {} });
beforeAll(() => fake.start());
afterAll(async () => {
  await fake.stop();
  await dispatcher.close();
});
beforeEach(() => fake.reset());

const githubToken: GitHubToken = { value: "gho_manager", origin: "stored", label: "the stored login" };

/** A manager exchanging against the fake; `clock` (ms) drives both its `now` and the tokens' `receivedAt`. */
function manager(options: Partial<TokenManagerOptions> & { clock?: { ms: number } } = {}) {
  const settings = resolveSettings({}, fake.env());
  const now = options.clock ? () => options.clock!.ms : () => performance.now();
  return new CopilotTokenManager({
    exchange: () =>
      exchangeCopilotToken({
        endpoints: settings.endpoints,
        identity: settings.identity,
        dispatcher,
        githubToken,
        now,
      }),
    now,
    ...options,
  });
}

describe("refreshDelayMs", () => {
  it("refreshes at refresh_in − 60 s normally, at half the lifetime for short tokens", () => {
    expect(refreshDelayMs(1500)).toBe(1_440_000);
    expect(refreshDelayMs(120)).toBe(60_000);
    expect(refreshDelayMs(100)).toBe(50_000);
    expect(refreshDelayMs(10)).toBe(5_000);
    expect(refreshDelayMs(1)).toBe(500);
    expect(refreshDelayMs(0)).toBe(0);
    expect(refreshDelayMs(-5)).toBe(0);
  });
});

describe("CopilotTokenManager", () => {
  it("shares one exchange between concurrent callers (single flight)", async () => {
    fake.state.exchange.delayMs = 50;
    const m = manager();
    const tokens = await Promise.all(Array.from({ length: 25 }, () => m.get()));
    expect(fake.exchanges).toBe(1);
    expect(m.exchangeCount).toBe(1);
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
  });

  it("reuses the token until refresh_in − 60 s after it arrived, then exchanges once more", async () => {
    fake.state.exchange.refreshIn = 1500;
    const clock = { ms: 10_000 };
    const m = manager({ clock });
    const first = await m.get();
    clock.ms = 10_000 + 1_439_999;
    expect(await m.get()).toBe(first);
    expect(fake.exchanges).toBe(1);
    clock.ms = 10_000 + 1_440_000;
    const second = await m.get();
    expect(second.token).not.toBe(first.token);
    expect(fake.exchanges).toBe(2);
  });

  it("refreshes a short-lived token at half its lifetime, before it expires", async () => {
    fake.state.exchange.refreshIn = 40;
    const clock = { ms: 0 };
    const m = manager({ clock });
    await m.get();
    clock.ms = 19_999;
    await m.get();
    expect(fake.exchanges).toBe(1);
    clock.ms = 20_000;
    await m.get();
    expect(fake.exchanges).toBe(2);
  });

  it("times the refresh from when the answer arrived, not from expires_at against the local clock", async () => {
    fake.state.exchange.refreshIn = 1500;
    // expires_at says the token died long ago by the local clock; refresh_in as received says it is fresh.
    const clock = { ms: 0 };
    const m = manager({
      clock,
      exchange: async (): Promise<CopilotToken> => ({
        token: "t",
        expiresAt: 1,
        refreshIn: 1500,
        receivedAt: clock.ms,
        apiUrl: fake.url,
        sku: undefined,
        chatEnabled: undefined,
      }),
    });
    await m.get();
    clock.ms = 1_000_000;
    await m.get();
    expect(m.exchangeCount).toBe(1);
  });

  it("invalidate() forces exactly one fresh exchange, and only for the token that failed", async () => {
    const m = manager();
    const first = await m.get();
    m.invalidate("some-other-token");
    expect(await m.get()).toBe(first);
    m.invalidate(first.token);
    m.invalidate(first.token);
    const [a, b] = await Promise.all([m.get(), m.get()]);
    expect(a).toBe(b);
    expect(fake.exchanges).toBe(2);
  });

  it("rejects a waiting caller on abort without failing the shared exchange", async () => {
    fake.state.exchange.delayMs = 100;
    const m = manager();
    const controller = new AbortController();
    const aborted = m.get(controller.signal);
    const other = m.get();
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    expect((await other).token).toMatch(/^tid=fake/);
    expect(fake.exchanges).toBe(1);
  });

  it("passes a failed first exchange to every waiting caller", async () => {
    fake.state.exchange.failure = "bad_credentials";
    const m = manager();
    const results = await Promise.allSettled([m.get(), m.get()]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(fake.exchanges).toBe(0);
    expect(m.exchangeCount).toBe(1);
  });

  it("keeps serving the current token when a refresh fails inside its lifetime, and remembers the error", async () => {
    fake.state.exchange.refreshIn = 100;
    const clock = { ms: 0 };
    const m = manager({ clock });
    const first = await m.get();
    fake.state.exchange.failure = "server_error";
    clock.ms = 60_000; // past the refresh point (50 s), inside refresh_in (100 s)
    expect(await m.get()).toBe(first);
    expect(m.state().lastError).toBeInstanceOf(TokenExchangeError);
    clock.ms = 100_000; // beyond refresh_in: the failure reaches the caller
    await expect(m.get()).rejects.toMatchObject({ code: "exchange_failed" });
  });

  it("refreshes in the background ahead of expiry with a short refresh_in", async () => {
    fake.state.exchange.refreshIn = 1; // refresh every 0.5 s
    const refreshed: string[] = [];
    const m = manager({ onRefresh: (t) => refreshed.push(t.token) });
    m.start();
    try {
      await vi.waitFor(() => expect(fake.exchanges).toBeGreaterThanOrEqual(3), {
        timeout: 10_000,
        interval: 20,
      });
      // Each background refresh produced a new, valid token that get() hands out without another exchange.
      const before = fake.exchanges;
      const token = await m.get();
      expect(fake.isCopilotTokenValid(token.token)).toBe(true);
      expect(fake.exchanges).toBe(before);
      expect(new Set(refreshed).size).toBe(refreshed.length);
    } finally {
      m.stop();
    }
  });

  it("retries a failed background refresh with backoff, reports each failure, and recovers", async () => {
    fake.state.exchange.refreshIn = 1;
    const failures: { error: unknown; attempt: number; nextRetryMs: number }[] = [];
    const m = manager({
      retryBaseMs: 10,
      retryMaxMs: 40,
      onRefreshError: (error, attempt, nextRetryMs) => failures.push({ error, attempt, nextRetryMs }),
    });
    await m.get();
    fake.state.exchange.failure = "server_error";
    m.start();
    try {
      await vi.waitFor(() => expect(failures.length).toBeGreaterThanOrEqual(4), {
        timeout: 10_000,
        interval: 10,
      });
      expect(failures.slice(0, 4).map((f) => [f.attempt, f.nextRetryMs])).toEqual([
        [1, 10],
        [2, 20],
        [3, 40],
        [4, 40],
      ]);
      expect(failures[0]?.error).toBeInstanceOf(TokenExchangeError);
      expect(m.state().lastError).toBeInstanceOf(TokenExchangeError);
      const exchangesBefore = fake.exchanges;
      fake.state.exchange.failure = undefined;
      await vi.waitFor(() => expect(fake.exchanges).toBeGreaterThan(exchangesBefore), { timeout: 10_000 });
      await vi.waitFor(() => expect(m.state().lastError).toBeUndefined());
    } finally {
      m.stop();
    }
  });

  it("never keeps a finished process alive with its refresh timer", async () => {
    const script = `
      import { CopilotTokenManager } from "./dist/copilot/token-manager.js";
      const m = new CopilotTokenManager({ exchange: async () => ({ token: "t", expiresAt: 0, refreshIn: 3600,
        receivedAt: performance.now(), apiUrl: "http://x", sku: undefined, chatEnabled: undefined }) });
      m.start();
      await m.get();
      console.log("done");
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(out.trim()).toBe("done");
    expect(code).toBe(0);
  });
});
