import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway, waitFor } from "../server/harness.js";
import { type Chromium, chromiumRunnable, launchChromium } from "../services/chromium.js";

/** What a hostile page can send without a preflight: a no-cors text/plain fetch and a text/plain form post. */
function attackPage(gateway: string): string {
  const chat = `{"model":"gpt-4.1","messages":[{"role":"user","content":"spend"}],"pad":"`;
  return `<!doctype html><title>evil</title>
<iframe name="sink"></iframe>
<form id="f" method="POST" enctype="text/plain" action="${gateway}/v1/chat/completions" target="sink">
<input name='${chat}' value='"}'></form>
<script>
fetch(${JSON.stringify(`${gateway}/v1/chat/completions`)}, {
  method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" },
  body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "spend" }] }),
}).finally(() => { document.title = "fetched"; document.getElementById("f").submit(); });
</script>`;
}

/** A page whose own fetch, in cors mode, reads the answer (an allowed --cors origin). */
function corsPage(gateway: string): string {
  return `<!doctype html><title>app</title><script>
fetch(${JSON.stringify(`${gateway}/v1/chat/completions`)}, {
  method: "POST", headers: { "content-type": "application/json" },
  body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] }),
}).then((r) => r.json()).then((j) => { document.title = "ok:" + j.object; }, (e) => { document.title = "err:" + e; });
</script>`;
}

/** A plain page server on a chosen loopback address: another origin than the gateway's. */
async function servePage(address: string, html: () => string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return { server, url: `http://${address}:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!chromiumRunnable)("cross-site requests from real Chromium", () => {
  const fake = new FakeUpstream();
  let gw: Harness;
  let browser: Chromium;
  const pages: Server[] = [];
  let gatewayUrl = "";

  beforeAll(async () => {
    await fake.start();
    gw = await startGateway(fake);
    gatewayUrl = gw.url;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const server of pages) server.close();
    await gw?.close();
    await fake.stop();
  });
  beforeEach(() => fake.reset());

  const chatCalls = () => fake.requestsTo("/chat/completions");
  const chatEntries = (g: Harness) => g.runtime.log.recent().filter((e) => e.path === "/v1/chat/completions");

  for (const [kind, address] of [
    ["cross-site (127.0.0.2)", "127.0.0.2"],
    ["same-site, other port (127.0.0.1)", "127.0.0.1"],
  ] as const) {
    it(`a ${kind} page's no-cors fetch and form post never reach Copilot`, async () => {
      const before = chatEntries(gw).length;
      const evil = await servePage(address, () => attackPage(gatewayUrl));
      pages.push(evil.server);
      const page = await browser.context.newPage();
      await page.goto(evil.url);
      // Both requests did reach the gateway: the test cannot pass by the browser not sending them.
      await waitFor(
        () => chatEntries(gw).length >= before + 2,
        "both browser requests at the gateway",
        20_000,
      );
      expect(
        chatEntries(gw)
          .slice(before)
          .map((e) => [e.status, e.error]),
      ).toEqual([
        [403, "cross_site_refused"],
        [403, "cross_site_refused"],
      ]);
      expect(chatCalls()).toEqual([]);
      await page.close();
    }, 60_000);
  }

  it("the gateway's own origin can still call the API (same-origin)", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gatewayUrl}/`);
    const status = await page.evaluate(async () => {
      const res = await fetch("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] }),
      });
      return res.status;
    });
    expect(status).toBe(200);
    expect(chatCalls()).toHaveLength(1);
    await page.close();
  }, 60_000);

  it("an origin allowed with --cors calls the API and reads the answer", async () => {
    let allowedGateway = "";
    const app = await servePage("127.0.0.3", () => corsPage(allowedGateway));
    pages.push(app.server);
    const allowed = await startGateway(fake, { corsOrigins: [app.url] });
    allowedGateway = allowed.url;
    try {
      const page = await browser.context.newPage();
      await page.goto(app.url);
      await page.waitForFunction(() => document.title.startsWith("ok:") || document.title.startsWith("err:"));
      expect(await page.title()).toBe("ok:chat.completion");
      expect(chatCalls()).toHaveLength(1);
      await page.close();
    } finally {
      await allowed.close();
    }
  }, 60_000);
});
