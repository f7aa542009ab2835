import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "../cli/cli-run.js";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { type Chromium, chromiumRunnable, launchChromium } from "../services/chromium.js";
import { type ServeProcess, startServe, stopServe } from "../services/serve-process.js";

const ARTIFACTS = join(process.cwd(), "artifacts", "team");

const PEOPLE = [
  { login: "alice", id: 101, token: "gho_alice00000000000000000000000000000001", orgs: ["acme"], seat: true },
  {
    login: "bob",
    id: 102,
    token: "gho_bob0000000000000000000000000000000002",
    orgs: ["acme", "beta"],
    seat: true,
  },
  { login: "carol", id: 103, token: "gho_carol00000000000000000000000000000003", orgs: ["ACME"], seat: true },
  {
    login: "eve",
    id: 104,
    token: "gho_eve0000000000000000000000000000000004",
    orgs: ["evil-corp"],
    seat: true,
  },
  { login: "nina", id: 105, token: "gho_nina00000000000000000000000000000005", orgs: ["acme"], seat: false },
];

/** The team gateway as this file runs it: members of acme, alice the admin, 3 requests a minute each. */
const startTeamServe = (env: NodeJS.ProcessEnv, extra: string[] = []) =>
  startServe(
    env,
    ["--team", "--allow-org", "acme", "--admin", "alice", "--user-rpm", "3", ...extra],
    /Store: /,
  );

/** The fields of the team API's answers that the tests read. */
interface ApiAnswer {
  status?: string;
  handle: string;
  userCode: string;
  login?: string;
  key: string;
  error: { code: string; message: string };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as ApiAnswer };
}

describe.skipIf(!chromiumRunnable)("team gateway: several people, each on their own seat", () => {
  let fake: FakeUpstream;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let serve: ServeProcess;
  let browser: Chromium;
  let page: Page;
  const keys: Record<string, string> = {};

  /** A person signs in through the gateway's API (what `connect` and the page do) and approves on GitHub. */
  async function apiSignIn(login: string) {
    const started = await post(`${serve.url}/team/api/sign-in`, { via: "connect", name: `${login}'s test` });
    expect(started.status).toBe(201);
    fake.approveDevice(started.json.userCode, login);
    for (;;) {
      const polled = await post(`${serve.url}/team/api/sign-in/poll`, { handle: started.json.handle });
      if (polled.json.status !== "pending") return polled;
    }
  }

  const openai = (key: string) => new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: key, maxRetries: 0 });
  const chat = (key: string) =>
    openai(key).chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] });

  beforeAll(async () => {
    fake = await startFakeUpstream();
    fake.state.people = PEOPLE.map((p) => ({ ...p }));
    // Every answer carries Copilot's limit headers (spec §10): the page shows each person's own.
    fake.state.copilot.limitHeaders = {
      "x-usage-ratelimit-session": "ent=0&ov=0.0&ovPerm=false&rem=60.5&rst=2099-01-01T00%3A00%3A00Z",
      "x-usage-ratelimit-weekly": "ent=0&ov=0.0&ovPerm=false&rem=88&rst=2099-01-01T00%3A00%3A00Z",
    };
    home = mkdtempSync(join(tmpdir(), "cg-team-home-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    env = { PATH: process.env.PATH, HOME: home, COPILOT_GATEWAY_HOME: join(home, "state"), ...fake.env() };
    serve = await startTeamServe(env);
    browser = await launchChromium({
      viewport: { width: 1280, height: 1000 },
    });
    page = await browser.context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stopServe(serve);
    await fake?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("says at start who is admitted, the billing, the limits and where secrets are sealed", () => {
    const text = serve.output.join("");
    expect(text).toContain("Only members of acme get a key (checked at sign-in and at each token refresh).");
    expect(text).toContain("Billing: each person's requests run on their own Copilot seat.");
    expect(text).toContain("Per-person limits: 3 requests/minute.");
    expect(text).toMatch(
      /Store: SQLite .*team\.db; secrets sealed with the key file .*secret\.key \(generated now\)\./,
    );
  });

  it("bob signs in with `copilot-gateway connect --json`; the key is stored 0600 for that server", async () => {
    const cliEnv = { HOME: home, COPILOT_GATEWAY_HOME: join(home, "bob-cli"), ...fake.env() };
    const run = startCli(["connect", serve.url, "--json"], cliEnv);
    let stderr = "";
    run.child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    await expect.poll(() => /enter the code (USER-\d+)/.exec(stderr)?.[1], { timeout: 15_000 }).toBeTruthy();
    const code = /enter the code (USER-\d+)/.exec(stderr)![1]!;
    expect(stderr).toContain(
      `To sign in to ${serve.url}, open ${fake.url}/login/device and enter the code ${code}`,
    );
    fake.approveDevice(code, "bob");
    const result = await run.done;
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { server: string; login: string; key: string };
    expect(printed).toEqual({
      server: serve.url,
      login: "bob",
      key: expect.stringMatching(/^cgw_[0-9A-Za-z]{43}$/),
    });
    keys.bob = printed.key;
    // The team gateway asked GitHub for read:org so it can check membership.
    expect(fake.requestsTo("/login/device/code").at(-1)?.rawBody).toContain("scope=read%3Auser+read%3Aorg");
    const dir = join(home, "bob-cli", "servers");
    const [file] = readdirSync(dir);
    expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    // `env claude-code --server URL` prints a set-up with bob's own key and the gateway's models.
    const envOut = await runCli(["env", "claude-code", "--server", serve.url, "--shell", "bash"], cliEnv);
    expect(envOut.stderr).toBe("");
    expect(envOut.stdout).toContain(`export ANTHROPIC_BASE_URL='${serve.url}'`);
    expect(envOut.stdout).toContain(`export ANTHROPIC_AUTH_TOKEN='${printed.key}'`);
    expect(envOut.stdout).toMatch(/export ANTHROPIC_MODEL='claude-/);
  });

  it("alice signs in on the page in Chromium: code, approval, key shown once with snippets, session cookie", async () => {
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(serve.url);
    await page.getByRole("button", { name: "Sign in with GitHub" }).click();
    const codeEl = page.locator("#user-code");
    await codeEl.waitFor();
    await expect.poll(() => codeEl.textContent()).toMatch(/^USER-\d+$/);
    await page.screenshot({ path: join(ARTIFACTS, "01-code.png"), fullPage: true });
    fake.approveDevice((await codeEl.textContent())!, "alice");
    const keyEl = page.locator("#new-key-value");
    await expect.poll(() => keyEl.textContent(), { timeout: 15_000 }).toMatch(/^cgw_[0-9A-Za-z]{43}$/);
    keys.alice = (await keyEl.textContent())!;
    expect(await page.locator("#snippet-claude").textContent()).toContain(
      `ANTHROPIC_AUTH_TOKEN=${keys.alice}`,
    );
    expect(await page.locator("#who").textContent()).toBe("Signed in as alice (admin)");
    await page.screenshot({ path: join(ARTIFACTS, "02-key-once.png"), fullPage: true });
    const [cookie] = await browser.context.cookies(serve.url);
    expect(cookie).toMatchObject({ name: "cgw-session", httpOnly: true, sameSite: "Strict", secure: false });
    // Shown once: after "I have copied it" the key is gone from the page, and the list only has its last 4.
    await page.getByRole("button", { name: "I have copied it" }).click();
    expect(await page.locator("#new-key-value").textContent()).toBe("");
    await expect
      .poll(() => page.locator("#keys-body").textContent())
      .toContain(`cgw_…${keys.alice.slice(-4)}`);
    expect(await page.content()).not.toContain(keys.alice);
    expect(pageErrors).toEqual([]);
  });

  it("each key's requests reach Copilot with that person's own token", async () => {
    const before = fake.requestsTo("/chat/completions").length;
    await chat(keys.bob!);
    await chat(keys.alice!);
    await new Anthropic({ baseURL: serve.url, apiKey: keys.bob!, maxRetries: 0 }).messages.create({
      model: "claude-sonnet-4.5",
      max_tokens: 20,
      messages: [{ role: "user", content: "hi" }],
    });
    const seats = [...fake.seatsUsedFor("/chat/completions"), ...fake.seatsUsedFor("/v1/messages")];
    expect(fake.seatsUsedFor("/chat/completions").slice(before)).toEqual(["bob", "alice"]);
    expect(seats).toContain("bob");
    // The exchanges used each person's own GitHub token.
    const exchanged = fake.requestsTo("/copilot_internal/v2/token").map((r) => r.headers.authorization);
    expect(exchanged).toContain(`token ${PEOPLE[0]!.token}`);
    expect(exchanged).toContain(`token ${PEOPLE[1]!.token}`);
  });

  it("refuses people outside --allow-org, and people without a seat, with a clear message (audited)", async () => {
    const eve = await apiSignIn("eve");
    expect(eve.status).toBe(403);
    expect(eve.json).toEqual({
      status: "refused",
      error: {
        code: "sign_in_refused",
        message:
          "eve is not a member of acme, so this gateway gives them no key; ask an organisation owner to add you, then sign in again.",
      },
    });
    const nina = await apiSignIn("nina");
    expect(nina.status).toBe(403);
    expect(nina.json.error.message).toMatch(
      /^nina cannot use Copilot with their own seat \(has no Copilot access/,
    );
    // Organisation names compare case-insensitively: carol's "ACME" is acme.
    const carol = await apiSignIn("carol");
    expect(carol.json).toMatchObject({ status: "complete", login: "carol" });
    keys.carol = carol.json.key;
    const audit = await runCli(["team", "audit", "--json"], {
      HOME: home,
      COPILOT_GATEWAY_HOME: join(home, "state"),
    });
    const entries = JSON.parse(audit.stdout).entries as { action: string; actor: string; detail?: string }[];
    expect(entries.filter((e) => e.action === "sign_in_refused").map((e) => [e.actor, e.detail])).toEqual([
      ["nina", "no Copilot: no_copilot_access"],
      ["eve", "not a member of acme"],
    ]);
  });

  it("a person at --user-rpm gets 429 with Retry-After in the route's shape while another is served", async () => {
    // alice has used 1 of 3 this minute.
    await chat(keys.alice!);
    await chat(keys.alice!);
    const refused = await chat(keys.alice!).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const err = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(err.code).toBe("user_rate_limited");
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(err.message).toMatch(/limit of 3 requests per minute per person; retry in \d+ s\./);
    const anthropic = await new Anthropic({ baseURL: serve.url, apiKey: keys.alice!, maxRetries: 0 }).messages
      .create({ model: "claude-sonnet-4.5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(anthropic).toBeInstanceOf(Anthropic.RateLimitError);
    expect((anthropic as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({
      type: "error",
      error: { type: "rate_limit_error" },
    });
    // carol is not affected.
    const served = await chat(keys.carol!);
    expect(served.choices[0]?.message.content).toBeTruthy();
  });

  it("the page shows the person's use per model, their limits, Copilot's limits and their seat's quota", async () => {
    await page.reload();
    await expect.poll(() => page.locator("#usage-today").textContent()).toContain("gpt-4.1");
    // alice made 3 chat requests that Copilot answered (the 4th and 5th were refused by --user-rpm).
    const todayRow = await page.locator("#usage-today tr").first().locator("td").allTextContents();
    expect(todayRow.slice(0, 2)).toEqual(["gpt-4.1", "3"]);
    const limits = await page.locator("#limits").textContent();
    expect(limits).toContain("Requests per minute3");
    expect(limits).toContain("Left this minute0");
    expect(limits).toContain("Requests today3");
    const copilot = await page.locator("#copilot-limits").textContent();
    expect(copilot).toMatch(
      /^Session limit \(5 h\)60\.5% left, resets in \d+ days( \d+ h)?Weekly limit88% left, resets in/,
    );
    expect(await page.locator("#copilot-limits-note").textContent()).toMatch(/^From your last answer, at /);
    await expect
      .poll(() => page.locator("#seat-quota").textContent())
      .toContain("premium interactions93.5 of 300 left");
    expect(await page.locator("#seat-quota").textContent()).toContain("Copilot planCopilot Business");
    expect(await page.locator("#seat-quota").textContent()).toContain("Quota resets2026-10-01");
  });

  it("an admin revokes another person's key with its Revoke button (cookie + CSRF); the next request with it gets 401", async () => {
    const bobKeys = await page.evaluate(async () => {
      const r = await fetch("/team/api/admin/users");
      return ((await r.json()) as { users: { login: string; keys: { id: string }[] }[] }).users.find(
        (u) => u.login === "bob",
      )?.keys;
    });
    // Without the CSRF token a state-changing call is refused, even with the cookie.
    const noCsrf = await page.evaluate(async (keyId) => {
      const r = await fetch(`/team/api/keys/${keyId}/revoke`, { method: "POST" });
      return r.status;
    }, bobKeys![0]!.id);
    expect(noCsrf).toBe(403);
    await page.reload();
    const button = page.getByRole("button", {
      name: new RegExp(`^Revoke bob's key .+ \\(…${keys.bob!.slice(-4)}\\)$`),
    });
    await button.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "03-admin-before.png"), fullPage: true });
    await button.click();
    await expect.poll(() => page.locator("#audit-body").textContent()).toContain("key_revoked");
    await expect.poll(() => button.count()).toBe(0);
    const refused = await chat(keys.bob!).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("key_revoked");
    // The audit entry names the admin and bob; the page lists everybody, with each person's Copilot limits.
    const audit = await page.locator("#audit-body tr").first().locator("td").allTextContents();
    expect(audit.slice(1, 4)).toEqual(["alice", "key_revoked", "bob"]);
    expect(await page.locator("#people-body").textContent()).toContain("carol");
    const carolRow = page.locator("#people-body tr", { hasText: "carol" });
    expect(await carolRow.textContent()).toContain("session 60.5% · weekly 88% left");
    // An admin checks a person's seat quota on demand.
    await page.getByRole("button", { name: "Check carol's seat quota" }).click();
    await expect.poll(() => carolRow.textContent()).toContain("premium interactions: 93.5 of 300 left");
    await page.screenshot({ path: join(ARTIFACTS, "03-admin.png"), fullPage: true });
  });

  it("a key from elsewhere, a made-up key or none is a 401 naming how to get one", async () => {
    const wrong = await chat(`cgw_${"A".repeat(43)}`).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((wrong as Error).message).toContain(`copilot-gateway connect ${serve.url}`);
    const res = await fetch(`${serve.url}/v1/models`);
    expect(res.status).toBe(401);
  });

  it("the store holds no GitHub token, personal key or device code in clear", () => {
    const dir = join(home, "state", "team");
    const bytes = readdirSync(dir)
      .filter((f) => f.startsWith("team.db"))
      .map((f) => readFileSync(join(dir, f)).toString("latin1"))
      .join("\n");
    // Booleans, so a failure never prints the file.
    expect(bytes.length > 0).toBe(true);
    for (const p of PEOPLE) expect(bytes.includes(p.token), p.login).toBe(false);
    expect(/gh[opsu]_[A-Za-z0-9]{20,}/.test(bytes)).toBe(false);
    for (const key of Object.values(keys)) expect(bytes.includes(key.slice(4))).toBe(false);
    expect(/cgw_[0-9A-Za-z]{43}/.test(bytes)).toBe(false);
    expect(bytes.includes("dc0000000000")).toBe(false); // the fake's device codes
    expect(bytes.includes("carol")).toBe(true); // it is the right file
  });

  it("a restart keeps people and keys; the CLI lists them", async () => {
    await stopServe(serve);
    serve = await startTeamServe(env);
    expect(serve.output.join("")).toMatch(/secrets sealed with the key file .*secret\.key\./);
    const served = await chat(keys.carol!);
    expect(served.choices[0]?.message.content).toBeTruthy();
    const bob = await chat(keys.bob!).catch((e: unknown) => e);
    expect(bob).toBeInstanceOf(OpenAI.AuthenticationError);
    const users = await runCli(["team", "users", "--json"], {
      HOME: home,
      COPILOT_GATEWAY_HOME: join(home, "state"),
    });
    expect((JSON.parse(users.stdout).users as { login: string }[]).map((u) => u.login)).toEqual([
      "alice",
      "bob",
      "carol",
    ]);
  });

  it("`team revoke LOGIN` on the CLI revokes a person while the gateway runs", async () => {
    const cli = { HOME: home, COPILOT_GATEWAY_HOME: join(home, "state") };
    const out = await runCli(["team", "revoke", "carol"], cli);
    expect(out.stdout).toBe(
      "Revoked carol: 1 key revoked, stored GitHub token deleted; they cannot sign in again until `copilot-gateway team enable carol`.\n",
    );
    const refused = await chat(keys.carol!).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as Error).message).toContain("an admin removed your access");
    const again = await apiSignIn("carol");
    expect(again.json.error.message).toContain("revoked carol's access");
    const keyList = await runCli(["team", "keys", "carol"], cli);
    expect(keyList.stdout).toMatch(/revoked .* by cli/);
    expect(keyList.stdout).not.toMatch(/cgw_[0-9A-Za-z]{43}/);
  });
});
