import { UsageError } from "../../errors.js";
import {
  type ApprovalAnswer,
  type AskApproval,
  shuttingDown,
} from "../../server/upstream-gate/manual-approval.js";
import type { CliContext } from "../context.js";

/** `serve --manual` asks on the terminal; without one nobody could answer, so it refuses to start. */
export function assertManualTerminal(ctx: CliContext): void {
  if (ctx.stdin.isTTY) return;
  throw new UsageError(
    "serve --manual asks in the terminal before each request, but stdin is not a terminal: run it in a terminal, or drop --manual.",
    "manual_needs_terminal",
  );
}

const ANSWERS: Record<string, ApprovalAnswer> = {
  y: "approve",
  yes: "approve",
  n: "deny",
  no: "deny",
  "": "deny",
  a: "approve-all",
  all: "approve-all",
};

/**
 * The terminal side of `serve --manual`: prints what a request is (route, model, client, the last user message)
 * and reads y / n / a. The log writer is flushed first so the question follows the lines it belongs to. Ctrl-C while
 * asking stops the gateway as it would anywhere else; Ctrl-D denies.
 */
export function terminalApproval(
  ctx: CliContext,
  log: { write(line: string): void; flush(): void },
): AskApproval {
  let asked = 0;
  return async (call, { signal, waiting }) => {
    const { createInterface } = await import("node:readline/promises");
    asked++;
    const agent = call.userAgent ? ` (${call.userAgent})` : "";
    log.write(
      `Request #${asked} wants to go to Copilot: ${call.route}, model ${call.model}, from ${call.clientAddress}${agent}`,
    );
    log.write(call.preview === undefined ? "  (no user message)" : `  last user message: "${call.preview}"`);
    if (waiting > 0) log.write(`  (${waiting} more waiting)`);
    log.flush();
    const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: true });
    const ended = new AbortController();
    let interrupted = false;
    rl.once("close", () => ended.abort());
    rl.on("SIGINT", () => {
      interrupted = true;
      rl.close();
      process.kill(process.pid, "SIGINT");
    });
    try {
      for (;;) {
        let text: string;
        try {
          text = await rl.question("Send it? [y]es, [n]o, [a]ll from now on (default no): ", {
            signal: AbortSignal.any([signal, ended.signal]),
          });
        } catch (error) {
          if (signal.aborted) {
            ctx.stderr.write("\n  The client left (or the gateway is stopping): dropped, not sent.\n");
            throw error;
          }
          // Ctrl-C: the gateway is stopping (the signal was passed on), so the request is not sent.
          if (interrupted) throw shuttingDown();
          ctx.stderr.write("\n  No more input: denied.\n");
          return "deny";
        }
        const answer = ANSWERS[text.trim().toLowerCase()];
        if (answer) {
          if (answer === "approve-all") ctx.stderr.write("  Approving every request from now on.\n");
          return answer;
        }
        ctx.stderr.write("  Answer y, n or a.\n");
      }
    } finally {
      rl.close();
    }
  };
}
