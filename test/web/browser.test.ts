import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { type Chromium, chromiumRunnable, launchChromium } from "../services/chromium.js";
import { type ServeProcess, startServe, stopServe } from "../services/serve-process.js";

const STORED_LOGIN = `${JSON.stringify({
  version: 1,
  token: "gho_storedbycli00000000000000000000000001",
  host: "github.com",
  login: "octocat",
  source: "device-flow",
  savedAt: "2026-01-01T00:00:00.000Z",
})}\n`;
const ARTIFACTS = join(process.cwd(), "artifacts", "web");

function shot(page: Page, name: string): Promise<Buffer> {
  return screenshot(page, name);
}

/** Screenshots are artifacts of the run (gitignored), one per state the test reaches. */
function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe.skipIf(!chromiumRunnable)("the web page in headless Chromium", () => {
  let fake: FakeUpstream;
  let home: string;
  let serve: ServeProcess;
  let browser: Chromium;
  let page: Page;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    home = mkdtempSync(join(tmpdir(), "cg-browser-home-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    // Only what the gateway needs: no GitHub token from the developer's environment may leak in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      COPILOT_GATEWAY_HOME: home,
      ...fake.env(),
    };
    serve = await startServe(env);
    browser = await launchChromium({
      viewport: { width: 1280, height: 900 },
    });
    page = await browser.context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stopServe(serve);
    await fake?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const shot = (name: string) => screenshot(page, name);

  it("shows a refused sign-in with its message and lets the user try again, by keyboard", async () => {
    fake.state.deviceFlow.interval = 0.05;
    fake.state.deviceFlow.script = ["authorization_pending", "access_denied"];
    await page.goto(serve.url);
    const signIn = page.getByRole("button", { name: "Sign in with GitHub" });
    await signIn.focus();
    await page.keyboard.press("Enter");
    const alert = page.locator("#sign-in-error");
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      "Sign-in was cancelled on GitHub (access denied). Try again when you are ready.",
    );
    expect(await alert.getAttribute("role")).toBe("alert");
    await shot("00-sign-in-refused");

    fake.state.deviceFlow.approved = false;
    await page.getByRole("button", { name: "Try again" }).click();
    await page.locator("#user-code", { hasText: fake.state.deviceFlow.userCode }).waitFor();
    // The code is the next thing a keyboard user needs: focus lands on its copy button.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("copy-code");
    expect(fake.deviceCodesIssued).toBe(2);
    await page.getByRole("button", { name: "Cancel" }).click();
    await signIn.waitFor();
  });

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
    // The same words as `copilot-gateway usage` (test/cli/usage.test.ts): one voice.
    await page.locator("#premium-numbers", { hasText: "93.5 of 300 left" }).waitFor();
    expect(await page.locator("#account-plan").textContent()).toBe("Copilot Business");
    expect(await page.locator("#quota-chat").textContent()).toBe("unlimited");
    expect(await page.locator("#premium-bar").getAttribute("aria-valuenow")).toBe("31");
    expect(await page.locator("#quota-reset").textContent()).toMatch(/^Resets /);
    await page.locator("#models-body tr").first().waitFor();
    // The premium column says what `copilot-gateway models` says (test/cli/models.test.ts).
    expect(await page.locator('#models-body tr[data-model="claude-opus-4.6"] td').nth(5).textContent()).toBe(
      "×3",
    );
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
    expect(cells[4]).toBe("—"); // not streamed
    expect(cells[5]).toBe("—"); // no error code
    expect(cells[6]).toMatch(/^\d[\d,]* ms$/);
    await shot("04-live-log");

    // The models filter narrows the table.
    await page.getByLabel("Filter").fill("consent");
    await page.locator("#models-status", { hasText: "1 of" }).waitFor();
    expect(await page.locator("#models-body tr").count()).toBe(1);
    expect(await page.getByRole("button", { name: /^Enable / }).count()).toBe(1);

    // 7. Sign out asks first: declining keeps the gateway signed in.
    const questions: string[] = [];
    page.once("dialog", (dialog) => {
      questions.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => questions.length).toBe(1);
    expect(questions[0]).toContain("Every tool using it loses access");
    expect(await page.locator("#connection").textContent()).toBe("Signed in · github.com");
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
    // Confirmed: back to the sign-in offer, and the gateway refuses API calls again.
    page.once("dialog", (dialog) => void dialog.accept());
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

describe.skipIf(!chromiumRunnable)("the web page of a gateway with an API key, in headless Chromium", () => {
  let fake: FakeUpstream;
  let home: string;
  let serve: ServeProcess;
  let browser: Chromium;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    home = mkdtempSync(join(tmpdir(), "cg-browser-home-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    // A login `copilot-gateway login` stored earlier: signing out on the page must leave it alone.
    mkdirSync(join(home, "tokens"), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, "tokens", "github.com.json"), STORED_LOGIN, { mode: 0o600 });
    serve = await startServe({
      PATH: process.env.PATH,
      HOME: home,
      COPILOT_GATEWAY_HOME: home,
      COPILOT_GATEWAY_API_KEY: "sesame-key",
      GH_TOKEN: "gho_browserkey000000000000000000000000001",
      ...fake.env(),
    });
    browser = await launchChromium({
      viewport: { width: 390, height: 844 },
      isMobile: true,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stopServe(serve);
    await fake?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("asks for the key, refuses a wrong one, then shows the gateway on a phone-sized screen", async () => {
    const page = await browser.context.newPage();
    await page.goto(serve.url);
    const input = page.getByLabel("API key", { exact: true });
    await input.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("api-key-input");
    await shot(page, "10-api-key-prompt");

    await input.fill("wrong-key");
    await page.keyboard.press("Enter");
    await page.locator("#api-key-error", { hasText: "The API key is not valid for this gateway." }).waitFor();

    await input.fill("sesame-key");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator("#account-login", { hasText: "octocat" }).waitFor();
    expect(await page.locator("#account-source").textContent()).toBe("GH_TOKEN");
    await page.locator("#log-status", { hasText: "Live" }).waitFor();
    // Snippets name a placeholder, never the key the user typed.
    expect(await page.locator("#snippets").textContent()).toContain("YOUR_GATEWAY_API_KEY");
    expect(await page.content()).not.toContain("sesame-key");

    const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: "sesame-key", maxRetries: 0 });
    await client.models.list();
    await page.locator("#log-body tr", { hasText: "/v1/models" }).waitFor();
    // Nothing is wider than the phone's screen except inside the scrollable tables and code blocks.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, "11-phone-signed-in");

    // Signing out cannot unset GH_TOKEN: the page says it comes back at the next start, and the stored login
    // the page did not make is kept.
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("#page-note", { hasText: "GH_TOKEN is set" }).waitFor();
    expect(await page.locator("#page-note").textContent()).toContain("was kept");
    expect(readFileSync(join(home, "tokens", "github.com.json"), "utf8")).toBe(STORED_LOGIN);
    await page.getByRole("button", { name: "Sign in with GitHub" }).waitFor();
  }, 60_000);
});

describe.skipIf(!chromiumRunnable)(
  "the web page of a gateway whose token refresh fails, in headless Chromium",
  () => {
    let fake: FakeUpstream;
    let home: string;
    let serve: ServeProcess;
    let browser: Chromium;

    beforeAll(async () => {
      fake = await startFakeUpstream();
      // GitHub refuses the token (revoked): every exchange fails.
      fake.state.exchange.failure = "bad_credentials";
      home = mkdtempSync(join(tmpdir(), "cg-browser-home-"));
      serve = await startServe({
        PATH: process.env.PATH,
        HOME: home,
        COPILOT_GATEWAY_HOME: home,
        GH_TOKEN: "gho_revoked00000000000000000000000000001",
        ...fake.env(),
      });
      browser = await launchChromium();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await stopServe(serve);
      await fake?.stop();
      rmSync(home, { recursive: true, force: true });
    });

    it("shows the failing state, says why once, and offers Sign in again, which starts a device flow", async () => {
      const page = await browser.context.newPage();
      await page.goto(serve.url);
      await page.locator("#connection", { hasText: "Sign-in failing · github.com" }).waitFor();
      const problem = await page.locator("#token-problem").textContent();
      expect(problem).toContain("was rejected by");
      // The reason appears once on the page, not again in the refresh line or the quota and models panels.
      const body = ((await page.locator("body").textContent()) ?? "").split("was rejected by").length - 1;
      expect(body).toBe(1);
      await shot(page, "20-token-failing");
      fake.state.exchange.failure = undefined;
      await page.getByRole("button", { name: "Sign in again" }).click();
      await page.locator("#user-code", { hasText: "WDJB-MJHT" }).waitFor();
      await page.locator("#connection", { hasText: "Signed in" }).waitFor();
      // The serve log said the refresh failure once, not on every retry.
      expect(serve.output.join("").split("Copilot token refresh failed").length - 1).toBe(1);
    }, 60_000);
  },
);
