import { fstatSync } from "node:fs";
import { ChatAccumulator } from "../../copilot/chat-accumulator.js";
import type { ChatCompletion, ChatMessage } from "../../copilot/chat-types.js";
import type { CopilotClient } from "../../copilot/client.js";
import type { CopilotModel } from "../../copilot/models.js";
import { AbortedError, describeError, InterruptedError, UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { openCopilotClient } from "../copilot-client.js";
import { jsonOutput } from "../output/format.js";
import { createStyle } from "../output/style.js";
import { CHAT_COMMANDS_HELP, parseChatCommand } from "./chat-commands.js";

export interface ChatOptions {
  model?: string;
  system?: string;
  json?: boolean;
  /** Commander's `--no-stream` sets this to false. */
  stream?: boolean;
}

/** Whether stdin holds data to read (a pipe or a file), as opposed to a terminal or nothing. */
function stdinHasData(ctx: CliContext): boolean {
  if (ctx.stdin.isTTY) return false;
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isFile() || stat.isSocket();
  } catch {
    return false;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

function answerText(completion: ChatCompletion): string {
  return completion.choices
    .map((c) => (typeof c.message.content === "string" ? c.message.content : ""))
    .join("");
}

/** Ask once; print the answer as it streams (or at once with --no-stream); return the whole answer. */
async function ask(
  ctx: CliContext,
  client: CopilotClient,
  messages: ChatMessage[],
  opts: ChatOptions,
  signal: AbortSignal,
): Promise<string> {
  const request = { model: opts.model, messages };
  let completion: ChatCompletion;
  if (opts.stream === false) {
    completion = await client.chat({ ...request, stream: false }, { signal });
    if (!opts.json) ctx.stdout.write(answerText(completion));
  } else {
    const acc = new ChatAccumulator();
    let lineOpen = false;
    try {
      for await (const chunk of await client.chat({ ...request, stream: true }, { signal })) {
        acc.push(chunk);
        if (opts.json) continue;
        for (const choice of chunk.choices) {
          if (!choice.delta.content) continue;
          ctx.stdout.write(choice.delta.content);
          lineOpen = !choice.delta.content.endsWith("\n");
        }
      }
    } catch (error) {
      // End the partial answer's line so the error (on stderr) starts one of its own on a terminal.
      if (lineOpen && !ctx.stdout.destroyed) ctx.stdout.write("\n");
      throw error;
    }
    completion = acc.result(opts.model);
  }
  const text = answerText(completion);
  if (opts.json) ctx.stdout.write(jsonOutput(completion));
  else if (!text.endsWith("\n")) ctx.stdout.write("\n");
  return text;
}

/** Pin the resolved model; a model that cannot stream (`supports.streaming: false`) is asked without streaming. */
function withModel(opts: ChatOptions, model: CopilotModel): ChatOptions {
  const cannotStream = model.capabilities.supports?.streaming === false;
  return { ...opts, model: model.id, ...(cannotStream && { stream: false }) };
}

/**
 * Ctrl-C aborts the request in flight (exit 130) instead of killing the process mid-write; a reader that goes away
 * (`chat … | head`) aborts it too, quietly, instead of crashing on EPIPE.
 */
function watchInterruptions(ctx: CliContext): {
  signal: AbortSignal;
  readerGone(): boolean;
  interrupted(): boolean;
  dispose(): void;
} {
  const controller = new AbortController();
  let gone = false;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    controller.abort();
  };
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    gone = true;
    controller.abort();
  };
  process.once("SIGINT", onSigint);
  ctx.stdout.on("error", onStdoutError);
  return {
    signal: controller.signal,
    readerGone: () => gone,
    interrupted: () => interrupted,
    dispose: () => {
      process.removeListener("SIGINT", onSigint);
      // Keep swallowing EPIPE: writes still buffered may fail after the command returns.
      if (!gone) ctx.stdout.removeListener("error", onStdoutError);
    },
  };
}

/**
 * `copilot-gateway chat [PROMPT] [--model ID] [--system TEXT] [--json] [--no-stream]`. The prompt comes from the
 * arguments, from stdin when piped (both are joined: `cat file | chat "summarise"`), or, on a terminal with no
 * prompt, from an interactive multi-turn session.
 */
export async function chat(ctx: CliContext, promptWords: string[], opts: ChatOptions = {}): Promise<void> {
  const client = await openCopilotClient(ctx);
  // Limits read from each answer: a warning when one passes 75% or 90%, and kept on disk for `usage`.
  client.session.limits.onWarning((w) => ctx.stderr.write(`warning: ${w.message}\n`));
  try {
    await chatWith(ctx, client, promptWords, opts);
  } finally {
    await client.session.limitFile?.flush();
  }
}

async function chatWith(
  ctx: CliContext,
  client: CopilotClient,
  promptWords: string[],
  opts: ChatOptions,
): Promise<void> {
  const system: ChatMessage[] = opts.system ? [{ role: "system", content: opts.system }] : [];
  const argPrompt = promptWords.join(" ").trim();
  const piped = stdinHasData(ctx) ? (await readAll(ctx.stdin)).trim() : "";
  const prompt = [argPrompt, piped].filter(Boolean).join("\n\n");
  if (!prompt) {
    if (ctx.stdin.isTTY) return interactive(ctx, client, system, opts);
    throw new UsageError(
      'No prompt: pass one as an argument or pipe it on stdin, e.g. `copilot-gateway chat "hi"`.',
    );
  }
  const watch = watchInterruptions(ctx);
  try {
    const resolved = withModel(opts, await client.model(opts.model, "chat", watch.signal));
    await ask(ctx, client, [...system, { role: "user", content: prompt }], resolved, watch.signal);
  } catch (error) {
    if (watch.interrupted()) throw new InterruptedError();
    if (!(error instanceof AbortedError && watch.readerGone())) throw error;
  } finally {
    watch.dispose();
  }
}

async function interactive(
  ctx: CliContext,
  client: CopilotClient,
  system: ChatMessage[],
  opts: ChatOptions,
): Promise<void> {
  const { createInterface } = await import("node:readline/promises");
  const style = createStyle(ctx.stderr, ctx.env);
  const model = await client.model(opts.model, "chat");
  let resolved = withModel(opts, model);
  ctx.stderr.write(
    `${style.dim(`Chatting with ${model.id}. /help lists commands; Ctrl-C stops an answer; Ctrl-D or /exit quits.`)}\n`,
  );
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: true, historySize: 100 });
  let closed = false;
  rl.on("close", () => {
    closed = true;
  });
  let messages = [...system];
  try {
    while (!closed) {
      const closedSignal = new AbortController();
      rl.once("close", () => closedSignal.abort());
      let line: string;
      try {
        line = (await rl.question(style.cyan("you> "), { signal: closedSignal.signal })).trim();
      } catch {
        break;
      }
      if (!line) continue;
      const command = parseChatCommand(line);
      if (command?.kind === "exit") break;
      if (command) {
        // Handled here, never sent to the model.
        if (command.kind === "help") ctx.stderr.write(`${CHAT_COMMANDS_HELP}\n`);
        else if (command.kind === "clear") {
          messages = [...system];
          ctx.stderr.write(`${style.dim("Started a new conversation.")}\n`);
        } else if (command.kind === "model") {
          if (!command.id) ctx.stderr.write(`${style.dim(`Chatting with ${resolved.model}.`)}\n`);
          else {
            try {
              // Checked against the catalogue (cached by the client): a typo gets "did you mean", not a 400 later.
              resolved = withModel(opts, await client.model(command.id, "chat"));
              ctx.stderr.write(`${style.dim(`Now chatting with ${resolved.model}.`)}\n`);
            } catch (error) {
              ctx.stderr.write(`${style.red("error:")} ${describeError(error)}\n`);
            }
          }
        } else ctx.stderr.write(`Unknown command ${command.name}; /help lists the commands.\n`);
        continue;
      }
      messages.push({ role: "user", content: line });
      // While an answer streams, Ctrl-C (readline's SIGINT) stops that answer only.
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      rl.on("SIGINT", onSigint);
      try {
        const text = await ask(ctx, client, messages, resolved, controller.signal);
        messages.push({ role: "assistant", content: text });
      } catch (error) {
        messages.pop();
        if (error instanceof AbortedError) ctx.stderr.write(style.dim("\n[answer stopped]\n"));
        else ctx.stderr.write(`${style.red("error:")} ${describeError(error)}\n`);
      } finally {
        rl.removeListener("SIGINT", onSigint);
      }
    }
  } finally {
    rl.close();
    ctx.stderr.write("\n");
  }
}
