// The thinnest proxy Node can run, as the bench's yardstick: node:http in, undici out, bytes piped both ways with no
// parsing, no validation, no log. It adds the same Copilot headers the gateway adds, so the fake accepts the
// request. Plain JavaScript run by bare `node` (no loader), so its RSS and CPU are Node's floor, not tsx's.
// Started by bench/run.ts with THIN_UPSTREAM (the fake's URL) and THIN_TOKEN (a Copilot token); reports its own
// URL over the IPC channel and exits when that channel closes.
import { createServer } from "node:http";
import { pipeline } from "node:stream";
import { Pool } from "undici";

const upstream = new Pool(process.env.THIN_UPSTREAM, { connections: 2048, keepAliveTimeout: 30_000 });
const headers = {
  "content-type": "application/json",
  authorization: `Bearer ${process.env.THIN_TOKEN}`,
  "editor-version": "vscode/1.104.3",
  "editor-plugin-version": "copilot-chat/0.26.7",
  "copilot-integration-id": "vscode-chat",
};

const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  upstream.request({ method: "POST", path: "/chat/completions", headers, body: req }, (error, answer) => {
    if (error) {
      if (!res.headersSent) res.writeHead(502);
      res.end();
      return;
    }
    res.writeHead(answer.statusCode, { "content-type": answer.headers["content-type"] });
    // pipeline() ends the upstream body when the client leaves, as a careful proxy must.
    pipeline(answer.body, res, () => {});
  });
});

server.listen(0, "127.0.0.1", () => {
  process.send?.({ url: `http://127.0.0.1:${server.address().port}` });
});
process.on("disconnect", () => process.exit(0));
