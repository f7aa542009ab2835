import type { ServerResponse } from "node:http";
import { fixtureJson, fixtureText, sseEvents } from "./fixtures.js";
import {
  echoAuthorization,
  type RecordedRequest,
  sendFailure,
  sendJson,
  sendText,
  sleep,
} from "./http-kit.js";
import type { FakeUpstream, Route } from "./server.js";

interface FakeModel {
  id: string;
  vendor?: string;
  supported_endpoints?: string[];
  policy?: { state: string; terms?: string };
  capabilities?: {
    type?: string;
    limits?: Record<string, unknown>;
    supports?: Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Models the fixture lacks but the spec describes: a policy-disabled one and one awaiting consent. */
const SYNTHETIC_MODELS: FakeModel[] = [
  {
    id: "fake-disabled-model",
    name: "Fake Disabled Model",
    vendor: "Fake",
    version: "fake-disabled-model",
    preview: false,
    model_picker_enabled: true,
    is_chat_default: false,
    is_chat_fallback: false,
    object: "model",
    policy: { state: "disabled", terms: "Disabled by your organization's policy." },
    supported_endpoints: ["/chat/completions"],
    capabilities: {
      family: "fake",
      type: "chat",
      tokenizer: "o200k_base",
      object: "model_capabilities",
      limits: { max_context_window_tokens: 8000, max_output_tokens: 1000, max_prompt_tokens: 7000 },
      supports: { streaming: true, tool_calls: true },
    },
  },
  {
    id: "fake-consent-model",
    name: "Fake Consent Model",
    vendor: "Fake",
    version: "fake-consent-model",
    preview: true,
    model_picker_enabled: true,
    is_chat_default: false,
    is_chat_fallback: false,
    object: "model",
    billing: { is_premium: true, multiplier: 1 },
    policy: { state: "requires_consent", terms: "Enable access to Fake Consent Model. Learn more." },
    supported_endpoints: ["/chat/completions"],
    capabilities: {
      family: "fake",
      type: "chat",
      tokenizer: "o200k_base",
      object: "model_capabilities",
      limits: { max_context_window_tokens: 8000, max_output_tokens: 1000, max_prompt_tokens: 7000 },
      supports: { streaming: true, tool_calls: true },
    },
  },
];

function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return "";
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: string; content?: unknown };
    if (m.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (Array.isArray(m.content)) {
      return m.content
        .map((p: { type?: string; text?: string }) =>
          p.type === "text" || p.type === "input_text" ? (p.text ?? "") : "",
        )
        .join("");
    }
  }
  return "";
}

function hasImage(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasImage);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o.type === "image_url" || o.type === "input_image" || o.type === "image") return true;
    return Object.values(o).some(hasImage);
  }
  return false;
}

/** The tool call the fake makes when `state.copilot.toolCalls` is on and the request offers tools. */
function fakeToolCall(body: { messages?: unknown; tools?: unknown[] }, seq: number) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages.at(-1) as { role?: string } | undefined;
  const first = body.tools?.[0] as { function?: { name?: string } } | undefined;
  if (!first?.function?.name || last?.role === "tool") return undefined;
  return {
    id: `call_fake${seq}`,
    type: "function" as const,
    function: { name: first.function.name, arguments: JSON.stringify({ query: lastUserText(messages) }) },
  };
}

/** The Messages API's tool call for `toolCalls` mode: the first tool, unless the last turn carries a tool result. */
function fakeToolUse(body: { messages?: unknown; tools?: unknown[] }, seq: number) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages.at(-1) as { content?: unknown } | undefined;
  const first = body.tools?.[0] as { name?: string } | undefined;
  const answersTool =
    Array.isArray(last?.content) && last.content.some((b: { type?: string }) => b.type === "tool_result");
  if (!first?.name || answersTool) return undefined;
  return {
    type: "tool_use",
    id: `toolu_fake${seq}`,
    name: first.name,
    input: { query: lastUserText(messages) },
  };
}

/** A native Messages answer that calls a tool, as one message or as Anthropic's event sequence. */
function sendToolUse(
  res: ServerResponse,
  model: string,
  use: NonNullable<ReturnType<typeof fakeToolUse>>,
  stream: boolean,
) {
  const usage = {
    input_tokens: 20,
    output_tokens: 9,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  };
  const message = {
    id: `msg_tool_${use.id}`,
    type: "message",
    role: "assistant",
    model,
    stop_sequence: null,
  };
  if (!stream) return sendJson(res, 200, { ...message, content: [use], stop_reason: "tool_use", usage });
  res.writeHead(200, { "content-type": "text/event-stream" });
  const event = (type: string, data: Record<string, unknown>) =>
    sseWrite(res, JSON.stringify({ type, ...data }), type);
  event("message_start", { message: { ...message, content: [], stop_reason: null, usage } });
  event("content_block_start", { index: 0, content_block: { ...use, input: {} } });
  for (const piece of splitInto(JSON.stringify(use.input), 3))
    event("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: piece } });
  event("content_block_stop", { index: 0 });
  event("message_delta", {
    delta: { stop_reason: "tool_use", stop_sequence: null },
    usage: { output_tokens: 9 },
  });
  event("message_stop", {});
  res.end();
}

function sseWrite(res: ServerResponse, data: string, event?: string): boolean {
  return res.write(`${event ? `event: ${event}\n` : ""}data: ${data}\n\n`);
}

/**
 * The mid-stream error event, then the end of the stream. With `midStreamErrorSplit` the event goes out in two
 * writes a moment apart, cut in the middle of the echoed Authorization value (else of the message).
 */
async function endWithErrorEvent(
  fake: FakeUpstream,
  req: RecordedRequest,
  res: ServerResponse,
  frame: string,
) {
  if (!fake.state.copilot.midStreamErrorSplit) return res.end(frame);
  const auth = req.headers.authorization;
  const at = typeof auth === "string" ? frame.indexOf(auth) : -1;
  const cut = at >= 0 ? at + Math.floor((auth?.length ?? 0) / 2) : Math.floor(frame.length / 2);
  await new Promise((resolve) => res.write(frame.slice(0, cut), resolve));
  await sleep(50);
  res.end(frame.slice(cut));
}

/** The Copilot API (spec §4): catalogue, chat, responses, messages, embeddings, with its checks and quirks. */
/**
 * A stream told to stall after `sent` chunks writes nothing more until its client goes away (true: stop) or the test
 * calls `fake.releaseStalls()` (false: go on).
 */
async function stalled(fake: FakeUpstream, res: ServerResponse, sent: number): Promise<boolean> {
  const after = fake.state.copilot.stallAfterChunks;
  if (after === undefined || sent < after) return false;
  if (!res.destroyed) {
    await new Promise<void>((resolve) => {
      res.once("close", () => resolve());
      fake.stalledStreams.add(resolve);
    });
  }
  return res.destroyed;
}

export function copilotRoutes(fake: FakeUpstream): Route[] {
  const catalogue = (): FakeModel[] => {
    const base = fixtureJson<{ data: FakeModel[] }>("copilot-models.json").data;
    const all = [...base, ...SYNTHETIC_MODELS, ...(fake.state.copilot.extraModels as FakeModel[])];
    return all.map((m) =>
      fake.policyOverrides.has(m.id)
        ? { ...m, policy: { state: fake.policyOverrides.get(m.id) ?? "enabled" } }
        : m,
    );
  };
  const findModel = (id: unknown) => catalogue().find((m) => m.id === id);

  /** Shared gate of every Copilot request: auth, headers, injected failures, think time. Returns false if answered. */
  const gate = async (req: RecordedRequest, res: ServerResponse): Promise<boolean> => {
    for (const [name, value] of Object.entries(fake.state.copilot.limitHeaders)) res.setHeader(name, value);
    const auth = String(req.headers.authorization ?? "");
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    if (!token || !fake.isCopilotTokenValid(token)) {
      sendJson(res, 401, { error: { message: "unauthorized: token expired", code: "unauthorized" } });
      return false;
    }
    if (!req.headers["editor-version"]) {
      sendText(res, 400, fixtureText("error-400-missing-editor-version.txt"));
      return false;
    }
    if (!/^vscode\/\d+\.\d+/.test(String(req.headers["editor-version"]))) {
      sendText(res, 400, fixtureText("error-400-unknown-editor-version.txt"));
      return false;
    }
    const idx = fake.state.copilot.failures.findIndex((f) => f.path === undefined || f.path === req.path);
    if (idx >= 0) {
      const [failure] = fake.state.copilot.failures.splice(idx, 1);
      if (failure) {
        sendFailure(res, failure, req);
        return false;
      }
    }
    if (fake.state.copilot.thinkTimeMs > 0) await sleep(fake.state.copilot.thinkTimeMs);
    return true;
  };

  /** Model checks shared by the inference routes. Returns the model, or undefined once answered. */
  const checkModel = (req: RecordedRequest, res: ServerResponse, endpoint: string): FakeModel | undefined => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const model = findModel(body.model);
    if (!model) {
      sendText(res, 400, fixtureText("error-400-model-not-supported.json"));
      return undefined;
    }
    if (model.supported_endpoints && !model.supported_endpoints.includes(endpoint)) {
      sendText(
        res,
        400,
        `${JSON.stringify({ error: { message: `model "${model.id}" is not accessible via the ${endpoint} endpoint`, code: "unsupported_api_for_model" } })}\n`,
      );
      return undefined;
    }
    const policy = model.policy?.state;
    if (policy && policy !== "enabled") {
      sendJson(res, 403, {
        error: {
          message: `The model ${model.id} is not enabled (policy: ${policy}).`,
          code: "model_not_enabled",
        },
      });
      return undefined;
    }
    if (hasImage(body.messages ?? body.input) && req.headers["copilot-vision-request"] !== "true") {
      sendText(res, 400, "missing required Copilot-Vision-Request header for vision requests\n");
      return undefined;
    }
    return model;
  };

  const streamChat = async (req: RecordedRequest, res: ServerResponse, model: FakeModel, text: string) => {
    const st = fake.state.copilot;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const aborted = () => res.destroyed || res.writableEnded;
    let sent = 0;
    const maybeFail = (): boolean => {
      if (st.midStreamDisconnectAfter !== undefined && sent >= st.midStreamDisconnectAfter) {
        res.socket?.destroy();
        return true;
      }
      if (st.midStreamErrorAfter !== undefined && sent >= st.midStreamErrorAfter) {
        sseWrite(
          res,
          JSON.stringify({
            error: {
              message: echoAuthorization(st.midStreamErrorMessage ?? "Upstream model failed mid-stream", req),
              code: "server_error",
            },
          }),
        );
        res.end();
        return true;
      }
      return false;
    };
    if (st.streamFixture) {
      for (const { data } of sseEvents(st.streamFixture)) {
        if (aborted() || maybeFail()) return;
        sseWrite(res, data);
        sent++;
        if (st.chunkDelayMs > 0) await sleep(st.chunkDelayMs);
      }
      if (!aborted()) res.end();
      return;
    }
    const id = `chatcmpl-fake${fake.requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCall = st.toolCalls ? fakeToolCall(req.body as never, fake.requests.length) : undefined;
    const chunk = (delta: unknown, finish: string | null = null, usage: unknown = null) =>
      JSON.stringify({
        choices: [{ index: 0, delta, finish_reason: finish, content_filter_results: {}, logprobs: null }],
        created,
        id,
        model: model.id,
        object: "chat.completion.chunk",
        system_fingerprint: "fp_fake",
        usage,
      });
    // Quirk: an empty-choices first event carrying only prompt_filter_results.
    sseWrite(
      res,
      JSON.stringify({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: [] }),
    );
    sseWrite(res, chunk({ content: "", refusal: null, role: "assistant" }));
    if (toolCall) {
      // As OpenAI streams a call: id and name first with empty arguments, then the arguments in pieces.
      const { arguments: args, name } = toolCall.function;
      sseWrite(
        res,
        chunk({
          tool_calls: [{ index: 0, id: toolCall.id, type: "function", function: { name, arguments: "" } }],
        }),
      );
      for (const piece of splitInto(args, 3))
        sseWrite(res, chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
      sseWrite(res, chunk({}, "tool_calls"));
      sseWrite(
        res,
        JSON.stringify({
          choices: [],
          created,
          id,
          model: model.id,
          object: "chat.completion.chunk",
          usage: usageFor(req, args, fake.state.copilot.cachedTokens),
        }),
      );
      return res.end("data: [DONE]\n\n");
    }
    const words = splitInto(text, st.streamChunks);
    for (const piece of words) {
      if (aborted() || maybeFail() || (await stalled(fake, res, sent))) return;
      const ok = sseWrite(res, chunk({ content: piece }));
      sent++;
      if (!ok) await new Promise((r) => res.once("drain", r));
      if (st.chunkDelayMs > 0) await sleep(st.chunkDelayMs);
    }
    if (aborted() || maybeFail()) return;
    sseWrite(res, chunk({}, "stop"));
    // Quirk: usage in a chunk of its own with empty choices.
    const usage = usageFor(req, text, fake.state.copilot.cachedTokens);
    sseWrite(
      res,
      JSON.stringify({ choices: [], created, id, model: model.id, object: "chat.completion.chunk", usage }),
    );
    res.end("data: [DONE]\n\n");
  };

  let responseSeq = 0;
  /** A Responses result echoing the input, or calling the first tool when the request forces tool use. */
  const responsesResult = (model: FakeModel, body: ResponsesBody, status: string) => {
    const id = `resp_fake${++responseSeq}`;
    const call = forcedTool(body);
    const output = call
      ? [
          {
            type: "function_call",
            id: `fc_fake${responseSeq}`,
            call_id: `call_fake${responseSeq}`,
            name: call,
            arguments: JSON.stringify({ query: responsesInputText(body.input) }),
            status: "completed",
          },
        ]
      : [
          {
            type: "message",
            id: `msg_fake${responseSeq}`,
            status: "completed",
            role: "assistant",
            content: [
              { type: "output_text", text: `echo: ${responsesInputText(body.input)}`, annotations: [] },
            ],
          },
        ];
    return {
      id,
      object: "response",
      created_at: Math.floor(Date.now() / 1000),
      status,
      model: model.id,
      output,
      usage: {
        input_tokens: 10,
        output_tokens: 5,
        total_tokens: 15,
        input_tokens_details: { cached_tokens: 0 },
      },
    };
  };

  /** A synthetic /responses stream with the real event sequence (spec §4), honouring the mid-stream switches. */
  const streamResponses = async (
    req: RecordedRequest,
    res: ServerResponse,
    model: FakeModel,
    body: ResponsesBody,
  ) => {
    const st = fake.state.copilot;
    const final = responsesResult(model, body, "completed");
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    let seq = 0;
    let sent = 0;
    const emit = (type: string, fields: Record<string, unknown>) =>
      sseWrite(res, JSON.stringify({ type, sequence_number: seq++, ...fields }), type);
    const step = async (): Promise<boolean> => {
      if (res.destroyed || (await stalled(fake, res, sent))) return false;
      if (st.midStreamDisconnectAfter !== undefined && sent >= st.midStreamDisconnectAfter) {
        res.socket?.destroy();
        return false;
      }
      if (st.midStreamErrorAfter !== undefined && sent >= st.midStreamErrorAfter) {
        const message = echoAuthorization(
          st.midStreamErrorMessage ?? "Upstream model failed mid-stream",
          req,
        );
        const error = { type: "error", sequence_number: seq++, code: "server_error", message, param: null };
        await endWithErrorEvent(fake, req, res, `event: error\ndata: ${JSON.stringify(error)}\n\n`);
        return false;
      }
      sent++;
      if (st.chunkDelayMs > 0) await sleep(st.chunkDelayMs);
      return true;
    };
    const inProgress = { ...final, status: "in_progress", output: [], usage: null };
    emit("response.created", { response: inProgress });
    emit("response.in_progress", { response: inProgress });
    const item = final.output[0] as Record<string, unknown>;
    if (item.type === "function_call") {
      emit("response.output_item.added", {
        output_index: 0,
        item: { ...item, arguments: "", status: "in_progress" },
      });
      const args = String(item.arguments);
      const half = Math.ceil(args.length / 2);
      for (const piece of [args.slice(0, half), args.slice(half)]) {
        if (!(await step())) return;
        // Copilot obfuscates item ids per event (spec §8): never the same twice.
        emit("response.function_call_arguments.delta", {
          output_index: 0,
          item_id: `obf${seq}`,
          delta: piece,
        });
      }
      emit("response.function_call_arguments.done", {
        output_index: 0,
        item_id: `obf${seq}`,
        arguments: args,
      });
    } else {
      emit("response.output_item.added", {
        output_index: 0,
        item: { ...item, content: [], status: "in_progress" },
      });
      emit("response.content_part.added", {
        output_index: 0,
        content_index: 0,
        item_id: `obf${seq}`,
        part: { type: "output_text", text: "", annotations: [] },
      });
      const text = `echo: ${responsesInputText(body.input)}`;
      for (const piece of splitInto(text, st.streamChunks)) {
        if (!(await step())) return;
        emit("response.output_text.delta", {
          output_index: 0,
          content_index: 0,
          item_id: `obf${seq}`,
          delta: piece,
          obfuscation: "xyz",
        });
      }
      emit("response.output_text.done", { output_index: 0, content_index: 0, item_id: `obf${seq}`, text });
    }
    emit("response.output_item.done", { output_index: 0, item });
    emit("response.completed", {
      response: final,
      copilot_usage: { token_details: [], total_nano_aiu: 1000 },
    });
    res.end();
  };

  return [
    { method: "GET", path: "/_ping", handle: (_req, res) => sendText(res, 200, "pong") },
    {
      method: "GET",
      path: "/models",
      handle: async (req, res) => {
        if (!(await gate(req, res))) return;
        sendJson(res, 200, { data: catalogue(), object: "list" });
      },
    },
    {
      method: "POST",
      path: /^\/models\/([^/]+)\/policy$/,
      handle: async (req, res, params) => {
        if (!(await gate(req, res))) return;
        const id = decodeURIComponent(params[0] ?? "");
        const model = findModel(id);
        if (!model) return sendJson(res, 404, { error: { message: "model not found", code: "not_found" } });
        const state = String((req.body as { state?: string } | undefined)?.state ?? "");
        if (state !== "enabled")
          return sendJson(res, 400, { error: { message: "invalid state", code: "bad_request" } });
        if (model.policy?.state === "disabled")
          return sendJson(res, 403, { error: { message: "disabled by policy", code: "policy_disabled" } });
        fake.policyOverrides.set(id, "enabled");
        sendJson(res, 200, { state: "enabled" });
      },
    },
    {
      method: "POST",
      path: "/chat/completions",
      handle: async (req, res) => {
        if (!(await gate(req, res))) return;
        const model = checkModel(req, res, "/chat/completions");
        if (!model) return;
        const body = req.body as { messages?: unknown; stream?: boolean; tools?: unknown[] };
        const text = `echo: ${lastUserText(body.messages)}`;
        if (body.stream) return streamChat(req, res, model, text);
        const toolCall = fake.state.copilot.toolCalls ? fakeToolCall(body, fake.requests.length) : undefined;
        // Claude models answer a tool call with the text and the call in separate choices (spec §8).
        const choices =
          toolCall && model.vendor === "Anthropic"
            ? [
                {
                  index: 0,
                  finish_reason: "tool_calls",
                  message: { role: "assistant", content: "Let me look that up." },
                },
                {
                  index: 1,
                  finish_reason: "tool_calls",
                  message: { role: "assistant", content: null, tool_calls: [toolCall] },
                },
              ]
            : [
                {
                  index: 0,
                  finish_reason: toolCall ? "tool_calls" : "stop",
                  message: toolCall
                    ? { role: "assistant", content: null, tool_calls: [toolCall] }
                    : { role: "assistant", content: text },
                  content_filter_results: {},
                },
              ];
        sendJson(res, 200, {
          choices,
          created: Math.floor(Date.now() / 1000),
          id: `chatcmpl-fake${fake.requests.length}`,
          model: model.id,
          object: "chat.completion",
          system_fingerprint: "fp_fake",
          usage: usageFor(req, text, fake.state.copilot.cachedTokens),
        });
      },
    },
    {
      method: "POST",
      path: "/responses",
      handle: async (req, res) => {
        if (!(await gate(req, res))) return;
        const model = checkModel(req, res, "/responses");
        if (!model) return;
        const body = req.body as ResponsesBody;
        if (body.stream) {
          if (fake.state.copilot.responsesFixture) {
            res.writeHead(200, { "content-type": "text/event-stream" });
            for (const { event, data } of sseEvents("responses-stream.sse")) sseWrite(res, data, event);
            return res.end();
          }
          return streamResponses(req, res, model, body);
        }
        sendJson(res, 200, responsesResult(model, body, "completed"));
      },
    },
    {
      method: "POST",
      path: "/v1/messages",
      handle: async (req, res) => {
        if (!(await gate(req, res))) return;
        const model = checkModel(req, res, "/v1/messages");
        if (!model) return;
        const body = req.body as { stream?: boolean; messages?: unknown; tools?: unknown[] };
        const use = fake.state.copilot.toolCalls ? fakeToolUse(body, fake.requests.length) : undefined;
        if (use) return sendToolUse(res, model.id, use, body.stream === true);
        if (body.stream) {
          res.writeHead(200, { "content-type": "text/event-stream" });
          const cut = fake.state.copilot.midStreamDisconnectAfter;
          const failAfter = fake.state.copilot.midStreamErrorAfter;
          for (const [i, { event, data }] of sseEvents("messages-stream.sse").entries()) {
            // An Anthropic `error` event mid-stream, as for chat (`midStreamErrorAfter` events in).
            if (failAfter !== undefined && i >= failAfter) {
              const message = echoAuthorization(
                fake.state.copilot.midStreamErrorMessage ?? "Upstream model failed mid-stream",
                req,
              );
              const error = { type: "error", error: { type: "api_error", message } };
              return endWithErrorEvent(fake, req, res, `event: error\ndata: ${JSON.stringify(error)}\n\n`);
            }
            // Drop the connection mid-stream, as for chat (`midStreamDisconnectAfter` events in).
            if (cut !== undefined && i >= cut) {
              // Flush what was written first, so the client really sees a stream that stops half-way.
              await new Promise((resolve) => res.write("", resolve));
              return res.socket?.destroy();
            }
            if (await stalled(fake, res, i)) return;
            sseWrite(res, data, event);
          }
          return res.end();
        }
        sendJson(res, 200, {
          id: "msg_bdrk_fake",
          type: "message",
          role: "assistant",
          model: model.id,
          content: [{ type: "text", text: `echo: ${lastUserText(body.messages)}` }],
          stop_reason: "end_turn",
          stop_sequence: null,
          usage: {
            input_tokens: 12,
            output_tokens: 4,
            cache_read_input_tokens: 0,
            cache_creation_input_tokens: 0,
          },
        });
      },
    },
    {
      method: "POST",
      path: "/embeddings",
      handle: async (req, res) => {
        if (!(await gate(req, res))) return;
        const body = req.body as { model?: string; input?: unknown };
        const model = findModel(body.model);
        if (model?.capabilities?.type !== "embeddings") {
          return sendText(res, 400, fixtureText("error-400-model-not-supported.json"));
        }
        const inputs = Array.isArray(body.input) ? body.input : [body.input];
        sendJson(res, 200, {
          object: "list",
          model: model.id,
          data: inputs.map((_v, index) => ({
            object: "embedding",
            index,
            embedding: [0.1, -0.2, 0.3, index / 10],
          })),
          usage: { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 },
        });
      },
    },
  ];
}

interface ResponsesBody {
  stream?: boolean;
  input?: unknown;
  tools?: { name?: string }[];
  tool_choice?: unknown;
}

/** The tool a /responses request forces (`tool_choice: "required"` or a named function), if any. */
function forcedTool(body: ResponsesBody): string | undefined {
  const first = body.tools?.[0]?.name;
  if (body.tool_choice === "required") return first;
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  if (choice && typeof choice === "object" && choice.type === "function") return choice.name ?? first;
  return undefined;
}

function responsesInputText(input: unknown): string {
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) return "";
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i] as { type?: string; role?: string; content?: unknown; output?: unknown };
    if (item.type === "function_call_output") return `tool said ${String(item.output)}`;
    if (item.role === "user") return lastUserText([item]);
  }
  return "";
}

/** Split text into exactly n pieces that join back to the text (trailing ones are empty when it is short). */
function splitInto(text: string, n: number): string[] {
  if (n <= 1) return [text];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(text.slice(i * size, (i + 1) * size));
  return out;
}

function usageFor(req: RecordedRequest, text: string, cached = 0) {
  const prompt = Math.max(1, Math.ceil(req.rawBody.length / 4));
  const completion = Math.max(1, Math.ceil(text.length / 4));
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: Math.min(cached, prompt) },
  };
}
