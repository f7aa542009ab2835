import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { limitValue } from "../limits/limit-value.js";
import { type Chromium, chromiumRunnable, launchChromium } from "../services/chromium.js";
import { type ServeProcess, startServe, stopServe } from "../services/serve-process.js";

const ARTIFACTS = join(process.cwd(), "artifacts", "web");
describe.skipIf(!chromiumRunnable)("limits, history and the live log on the page (Chromium)", () => {
  let fake: FakeUpstream;
  let home: string;
  let serve: ServeProcess;
  let browser: Chromium;
  let page: Page;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    home = mkdtempSync(join(tmpdir(), "cg-limits-page-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    serve = await startServe({
      PATH: process.env.PATH,
      HOME: home,
      COPILOT_GATEWAY_HOME: home,
      COPILOT_GITHUB_TOKEN: "gho_page0000000000000000000000000000000000",
      ...fake.env(),
    });
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

  it("shows limits live with a warning, rows with details, pause and clear, the history, and stacks at 390 px", async () => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(serve.url);
    await page.locator("#log-status", { hasText: "Live" }).waitFor();
    const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const reset = new Date(Date.now() + 3 * 3_600_000 + 12 * 60_000 - 30_000).toISOString();

    fake.state.copilot.limitHeaders = {
      "x-usage-ratelimit-session": limitValue(60, reset),
      "x-usage-ratelimit-weekly": limitValue(90, "2030-01-01T00:00:00Z"),
    };
    await client.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "one" }] });
    const session = page.locator('[data-limit="Session (5 h)"]');
    await session.locator("text=40% used").waitFor();
    expect(await session.textContent()).toContain("resets in 3 h 12 min");

    // The next answer moves the session limit past 75%: the bar follows and one warning appears.
    fake.state.copilot.limitHeaders = {
      ...fake.state.copilot.limitHeaders,
      "x-usage-ratelimit-session": limitValue(20, reset),
    };
    const stream = await client.chat.completions.create({
      model: "gpt-4.1",
      stream: true,
      messages: [{ role: "user", content: "two" }],
    });
    for await (const _ of stream) {
      // drain
    }
    await session.locator("text=80% used").waitFor();
    await page
      .locator("#limit-warnings li", { hasText: "Copilot session limit is 80% used (20% left)" })
      .waitFor();
    expect(await page.locator("#limit-warnings li").count()).toBe(1);

    // A failing request shows its error code; the streamed one its flag.
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: {
        error: {
          message: "Sorry, you've exceeded your weekly rate limit.",
          code: "user_weekly_rate_limited",
        },
      },
      headers: { "retry-after": "7200" },
    });
    await client.chat.completions
      .create({ model: "gpt-4.1", messages: [{ role: "user", content: "three" }] })
      .catch(() => undefined);
    const rows = page.locator("#log-body tr.log-row");
    await page.locator("#log-body td", { hasText: "user_weekly_rate_limited" }).waitFor();
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(1).locator('td[data-label="Stream"]').textContent()).toBe("stream");

    // Details on click: model, upstream status, tokens, time to first byte.
    await rows.nth(1).click();
    const details = page.locator("#log-body tr.log-details");
    await details.waitFor();
    const text = (await details.textContent()) ?? "";
    expect(text).toContain("Modelgpt-4.1");
    expect(text).toContain("Upstream status200");
    expect(text).toMatch(/Time to first byte\d+ ms/);
    expect(text).toMatch(/Tokens in \/ out \/ cached\d+ \/ \d+ \/ 0/);
    expect(await rows.nth(1).getAttribute("aria-expanded")).toBe("true");

    // The history: today has the two answered requests; the model table lists gpt-4.1.
    await page.locator("#history-body td", { hasText: "gpt-4.1" }).waitFor();
    const today = new Date().toISOString().slice(0, 10);
    await page.locator(`.history-day[data-day="${today}"][data-requests="2"]`).waitFor();

    // Pause holds new rows; resume shows them; clear empties the log.
    await page.getByRole("button", { name: "Pause" }).click();
    await client.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "four" }] });
    await page.locator("#log-status", { hasText: "Paused (1 new)" }).waitFor();
    expect(await rows.count()).toBe(3);
    await page.getByRole("button", { name: "Resume" }).click();
    expect(await rows.count()).toBe(4);
    await page.getByRole("button", { name: "Clear" }).click();
    expect(await rows.count()).toBe(0);

    // On a 390 px phone screen the rows stack: nothing scrolls sideways.
    await client.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "five" }] });
    await page.setViewportSize({ width: 390, height: 844 });
    await rows.first().waitFor();
    const overflow = await page.evaluate(() => {
      const wrap = document.querySelector("#log-table")?.closest(".table-wrap") as HTMLElement;
      return {
        page: document.documentElement.scrollWidth - window.innerWidth,
        wrap: wrap.scrollWidth - wrap.clientWidth,
      };
    });
    expect(overflow).toEqual({ page: 0, wrap: 0 });
    expect(await page.locator("#log-table thead").isVisible()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, "limits-390.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
});
