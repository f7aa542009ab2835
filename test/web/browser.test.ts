import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";

/** Debian's Chromium (`.ci/run` installs it); the test never downloads a browser. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = join(process.cwd(), "artifacts", "web");
const BIN = join(process.cwd(), "bin", "copilot-gateway.js");

/** Start `copilot-gateway serve` with no token at all and resolve with its URL once it listens. */
function startServe(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: string[] }> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const m = /listening on (http:\/\/\S+)/.exec(output.join(""));
      if (m?.[1]) resolve({ child, url: m[1], output });
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${output.join("")}`)));
  });
}

// Without Chromium, CI fails loudly; a developer machine without it skips this one file.
const runnable = existsSync(CHROMIUM) || process.env.CI === "true";

describe.skipIf(!runnable)("the web page in headless Chromium", () => {
  let fake: FakeUpstream;
  let home: string;
  let profile: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    home = mkdtempSync(join(tmpdir(), "cg-browser-home-"));
    profile = mkdtempSync(join(tmpdir(), "cg-browser-profile-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    // Only what the gateway needs: no GitHub token from the developer's environment may leak in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      COPILOT_GATEWAY_HOME: home,
      ...fake.env(),
    };
    serve = await startServe(env);
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (serve && serve.child.exitCode === null) {
      const exited = new Promise((resolve) => serve.child.once("exit", resolve));
      serve.child.kill("SIGTERM");
      await exited;
    }
    await fake?.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it("signs in with the device flow, shows the account, logs live traffic and signs out", async () => {
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // GitHub has not approved yet; poll the fake every 50 ms rather than GitHub's 5 s.
    fake.state.deviceFlow.approved = false;
    fake.state.deviceFlow.interval = 0.05;
    fake.state.deviceFlow.userCode = "WDJB-MJHT";

    // 1. The gateway started with no token: the page offers the sign-in.
    await page.goto(serve.url);
    const signIn = page.getByRole("button", { name: "Sign in with GitHub" });
    await signIn.waitFor();
    await expect(page.locator("#connection").textContent()).resolves.toBe("Not signed in · github.com");
    await shot("01-signed-out");

    // 2-3. Click sign in, then read the user code off the page.
    await signIn.click();
    const code = page.locator("#user-code");
    await page.waitForFunction(() => document.querySelector("#user-code")?.textContent?.includes("-"));
    expect(await code.textContent()).toBe(fake.state.deviceFlow.userCode);
    expect(await page.locator("#verification-link").getAttribute("href")).toBe(`${fake.url}/login/device`);
    await shot("02-user-code");

    // 4. Let the fake approve.
    fake.state.deviceFlow.approved = true;

    // 5. The login and the quota appear.
    await page.locator("#account-login", { hasText: "octocat" }).waitFor();
    await page.locator("#premium-numbers", { hasText: "93 / 300 remaining" }).waitFor();
    expect(await page.locator("#premium-bar").getAttribute("aria-valuenow")).toBe("31");
    expect(await page.locator("#quota-reset").textContent()).toMatch(/^Resets /);
    await page.locator("#models-body tr").first().waitFor();
    await page.locator("#log-status", { hasText: "Live" }).waitFor();
    expect(await page.locator("#token-refresh").textContent()).toMatch(/^next refresh in \d+:\d\d/);
    await shot("03-signed-in");

    // 6. A chat request through the official SDK shows up in the live log, without a reload.
    const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const chat = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "Say hello" }],
    });
    expect(chat.choices[0]?.message.content).toBeTruthy();
    const row = page.locator("#log-body tr", { hasText: "/v1/chat/completions" });
    await row.waitFor();
    const cells = await row.locator("td").allTextContents();
    expect(cells[1]).toBe("POST /v1/chat/completions");
    expect(cells[2]).toBe("gpt-4.1");
    expect(cells[3]).toBe("200");
    expect(cells[4]).toMatch(/^\d[\d,]* ms$/);
    await shot("04-live-log");

    // The models filter narrows the table.
    await page.getByLabel("Filter").fill("consent");
    await page.locator("#models-status", { hasText: "1 of" }).waitFor();
    expect(await page.locator("#models-body tr").count()).toBe(1);
    expect(await page.getByRole("button", { name: /^Enable / }).count()).toBe(1);

    // 7. Sign out: back to the sign-in offer, and the gateway refuses API calls again.
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn.waitFor();
    await expect(page.locator("#connection").textContent()).resolves.toBe("Not signed in · github.com");
    await shot("05-signed-out-again");
    await expect(client.models.list()).rejects.toMatchObject({ status: 401 });

    expect(pageErrors).toEqual([]);
    // The page never shows a token.
    const html = await page.content();
    expect(html).not.toContain(fake.state.deviceFlow.accessToken);
    expect(html).not.toContain("tid=");
  }, 60_000);
});
