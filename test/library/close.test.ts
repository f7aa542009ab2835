import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCopilot } from "../../src/index.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

/**
 * Runs `body` in a fresh node process that imports the built package by its name (dist/, as a user would) and reports what is
 * still alive after it. The process must exit by itself: an open timer or socket would keep it running and the
 * test would time out.
 */
function runScript(body: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    import OpenAI from "openai";
    import { createCopilot } from "copilot-gateway"; // the package's own name: resolved through package.json "exports"
    ${body}
    // What still holds the event loop once the script is done (process.getActiveResourcesInfo, Node ≥ 17).
    setImmediate(() => console.log("ACTIVE " + JSON.stringify(process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap"))));
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: mkdtempSync(join(tmpdir(), "cg-close-")),
      COPILOT_GITHUB_TOKEN: "gho_close0000000000000000000000000000000000",
      ...fake.env(),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

it("close() leaves no timer or socket open: a process that used every face exits by itself", async () => {
  const { code, stdout, stderr } = await runScript(`
    const copilot = createCopilot();
    const answer = await copilot.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] });
    let streamed = "";
    for await (const c of await copilot.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "a b" }], stream: true }))
      streamed += c.choices[0]?.delta.content ?? "";
    const openai = new OpenAI({ baseURL: "http://copilot.local/v1", apiKey: "unused", fetch: copilot.fetch });
    const viaFetch = await openai.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "sdk" }] });
    await copilot.usage();
    await copilot.close();
    console.log(JSON.stringify([answer.choices[0].message.content, streamed, viaFetch.choices[0].message.content]));
  `);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toContain(JSON.stringify(["echo: hi", "echo: a b", "echo: sdk"]));
  // Nothing but the reporting itself is left: no Timeout (token refresh), no TCPSocketWrap (pooled connection).
  const active = JSON.parse(/ACTIVE (.*)/.exec(stdout)?.[1] ?? "null") as string[];
  expect(active.filter((r) => r === "Timeout" || r === "TCPSocketWrap" || r === "TCPServerWrap")).toEqual([]);
}, 30_000);

it("close() closes the pooled connections and stops the token refresh (seen from the upstream's side)", async () => {
  fake.reset();
  // A token to refresh every half second: a refresh timer left running would show as more exchanges.
  fake.state.exchange.refreshIn = 1;
  fake.state.exchange.lifetime = 2;
  const copilot = createCopilot({
    homeDir: mkdtempSync(join(tmpdir(), "cg-close-")),
    env: { ...fake.env(), GH_TOKEN: "gho_close0000000000000000000000000000000000" },
  });
  await copilot.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] });
  const OpenAI = (await import("openai")).default;
  const openai = new OpenAI({ baseURL: "http://copilot.local/v1", apiKey: "unused", fetch: copilot.fetch });
  await openai.models.list();
  expect(await fake.openConnections()).toBeGreaterThan(0);
  await copilot.close();
  const exchanges = fake.exchanges;
  const until = Date.now() + 5000;
  while ((await fake.openConnections()) > 0 && Date.now() < until)
    await new Promise((r) => setTimeout(r, 10));
  expect(await fake.openConnections()).toBe(0);
  // Three refresh periods later, no exchange happened.
  await new Promise((r) => setTimeout(r, 1500));
  expect(fake.exchanges).toBe(exchanges);
});
