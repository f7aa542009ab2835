// `copilot-gateway/ai-sdk`: a Vercel AI SDK provider on a Copilot seat, with no server. It is built on the AI SDK's
// own provider packages (optional peer dependencies of copilot-gateway), pointed at `copilot.fetch`: OpenAI chat for
// most models, Anthropic's Messages API for Claude, both through the gateway's routing and translation in process.
import type { OpenAICompatibleProvider } from "@ai-sdk/openai-compatible";
import { UsageError } from "../errors.js";
import { type Copilot, type CopilotOptions, createCopilot } from "../library/create-copilot.js";

/** A package the provider needs, loaded once; missing, it fails with one line saying what to install. */
async function peer<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new UsageError(
      `copilot-gateway/ai-sdk needs the package ${name}: run \`npm install ${name}\` (with \`ai\` 6: ${name === "@ai-sdk/anthropic" ? "@ai-sdk/anthropic@3" : "@ai-sdk/openai-compatible@2"}).`,
      "missing_peer_dependency",
    );
  }
}

const [{ createOpenAICompatible }, { createAnthropic }] = await Promise.all([
  peer("@ai-sdk/openai-compatible", () => import("@ai-sdk/openai-compatible")),
  peer("@ai-sdk/anthropic", () => import("@ai-sdk/anthropic")),
]);

/** A language model of the AI SDK (what `generateText` and `streamText` take as `model`). */
export type CopilotLanguageModel = ReturnType<OpenAICompatibleProvider["chatModel"]>;

/** An embedding model of the AI SDK (what `embed` and `embedMany` take as `model`). */
export type CopilotEmbeddingModel = ReturnType<OpenAICompatibleProvider["embeddingModel"]>;

/** The Copilot provider: call it with a model id of your catalogue. */
export interface CopilotProvider {
  /** The model `id`: Claude models on the Anthropic Messages path, every other model on OpenAI chat. */
  (modelId: string): CopilotLanguageModel;
  /** The same as calling the provider. */
  languageModel(modelId: string): CopilotLanguageModel;
  /** The model through OpenAI chat completions (Responses-only models are translated by the gateway). */
  chatModel(modelId: string): CopilotLanguageModel;
  /** The model through the Anthropic Messages API: native for Claude, translated for other models. */
  messagesModel(modelId: string): CopilotLanguageModel;
  /** An embeddings model of the catalogue (e.g. `text-embedding-3-small`). */
  embeddingModel(modelId: string): CopilotEmbeddingModel;
  /** The Copilot instance the models use (its `usage()`, `limits()`, `models.list()`). */
  readonly copilot: Copilot;
  /** Closes the Copilot instance the provider created (one passed in as `copilot` is left to its owner). */
  close(): Promise<void>;
}

/** Options of {@link createCopilotProvider}: those of `createCopilot`, or a Copilot instance to use. */
export type CopilotProviderOptions = CopilotOptions | { copilot: Copilot };

/**
 * Which path a model id takes by default: Claude ids (and Anthropic's family names) go to the Messages API, so
 * Claude keeps its native features (thinking, cache control); everything else goes to OpenAI chat.
 */
export function isClaudeModelId(modelId: string): boolean {
  return /claude|^(sonnet|opus|haiku)\b/i.test(modelId);
}

/** The output limit of a model in the catalogue, when the id names one exactly. */
async function outputLimit(instance: Copilot, modelId: string): Promise<number | undefined> {
  const models = await instance.models.list().catch(() => []);
  return models.find((m) => m.id === modelId)?.capabilities.limits?.max_output_tokens;
}

/**
 * A Messages-path model whose `maxOutputTokens` comes from the catalogue: the Anthropic package otherwise asks for
 * its own idea of the limit (128,000, with a console warning, for ids it does not know such as Copilot's
 * `claude-sonnet-4.5`), which Copilot's native Messages API would be left to refuse. A larger value is lowered too.
 */
function withCatalogueOutputLimit(inner: CopilotLanguageModel, instance: Copilot): CopilotLanguageModel {
  type CallOptions = Parameters<CopilotLanguageModel["doGenerate"]>[0];
  const fill = async (options: CallOptions): Promise<CallOptions> => {
    const limit = await outputLimit(instance, inner.modelId);
    if (limit === undefined) return options;
    return { ...options, maxOutputTokens: Math.min(options.maxOutputTokens ?? limit, limit) };
  };
  return {
    specificationVersion: inner.specificationVersion,
    provider: inner.provider,
    modelId: inner.modelId,
    get supportedUrls() {
      return inner.supportedUrls;
    },
    doGenerate: async (options) => inner.doGenerate(await fill(options)),
    doStream: async (options) => inner.doStream(await fill(options)),
  };
}

/** The base URL the SDK providers are given: any host works, `copilot.fetch` never opens a socket. */
const IN_PROCESS_BASE_URL = "http://copilot.local/v1";

/**
 * A Vercel AI SDK provider on your Copilot seat: `generateText({ model: copilot("gpt-4.1"), … })`. Finds the token as
 * `createCopilot` does (or uses the `copilot` instance given) and serves every call in process through
 * `copilot.fetch`.
 */
export function createCopilotProvider(options: CopilotProviderOptions = {}): CopilotProvider {
  const owned = !("copilot" in options);
  const instance = "copilot" in options ? options.copilot : createCopilot(options);
  const openai = createOpenAICompatible({
    name: "copilot",
    baseURL: IN_PROCESS_BASE_URL,
    apiKey: "unused",
    fetch: instance.fetch,
    includeUsage: true,
  });
  const anthropic = createAnthropic({
    baseURL: IN_PROCESS_BASE_URL,
    apiKey: "unused",
    fetch: instance.fetch,
  });
  const chatModel = (id: string) => openai.chatModel(id);
  const messagesModel = (id: string) => withCatalogueOutputLimit(anthropic.messages(id), instance);
  const languageModel = (id: string) => (isClaudeModelId(id) ? messagesModel(id) : chatModel(id));
  return Object.assign((id: string) => languageModel(id), {
    languageModel,
    chatModel,
    messagesModel,
    embeddingModel: (id: string) => openai.embeddingModel(id),
    copilot: instance,
    close: () => (owned ? instance.close() : Promise.resolve()),
  });
}

/**
 * The default provider, created on first use with the token found as the CLI finds it:
 * `import { copilot } from "copilot-gateway/ai-sdk"`. `copilot.close()` releases it.
 */
export const copilot: CopilotProvider = (() => {
  let provider: CopilotProvider | undefined;
  const get = () => {
    provider ??= createCopilotProvider();
    return provider;
  };
  const lazy = Object.assign((id: string) => get()(id), {
    languageModel: (id: string) => get().languageModel(id),
    chatModel: (id: string) => get().chatModel(id),
    messagesModel: (id: string) => get().messagesModel(id),
    embeddingModel: (id: string) => get().embeddingModel(id),
    close: async () => {
      const current = provider;
      provider = undefined;
      await current?.close();
    },
  });
  return Object.defineProperty(lazy, "copilot", {
    get: () => get().copilot,
    enumerable: true,
  }) as CopilotProvider;
})();
