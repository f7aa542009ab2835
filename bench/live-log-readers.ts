// Open live-log tabs, in their own process so reading them does not share the load generator's event loop.
// Over IPC: `{ open: N, url }` opens N streams to URL/api/page/events and answers `{ open, refused }` once each
// has its snapshot (or was refused); `{ close: true }` ends them all and answers `{ closed: true }`;
// `{ stats: true }` answers `{ bytes }` received so far. Each tab reads and discards, as a browser tab would parse.
import { Agent, type ClientRequest, get, type IncomingMessage } from "node:http";

const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
let requests: ClientRequest[] = [];
let bytes = 0;

function openTab(url: string): Promise<"open" | "refused"> {
  return new Promise((resolve) => {
    const req = get(`${url}/api/page/events`, { agent }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume();
        return resolve("refused");
      }
      res.once("data", () => resolve("open"));
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on("error", () => undefined);
    });
    req.on("error", () => resolve("refused"));
    requests.push(req);
  });
}

process.on("message", async (message: { open?: number; url?: string; close?: boolean; stats?: boolean }) => {
  if (message.open !== undefined && message.url) {
    const url = message.url;
    const results = await Promise.all(Array.from({ length: message.open }, () => openTab(url)));
    process.send?.({
      open: results.filter((r) => r === "open").length,
      refused: results.filter((r) => r === "refused").length,
    });
  } else if (message.close) {
    for (const req of requests) req.destroy();
    requests = [];
    process.send?.({ closed: true });
  } else if (message.stats) {
    process.send?.({ bytes });
  }
});
process.on("disconnect", () => process.exit(0));
process.send?.({ ready: true });
