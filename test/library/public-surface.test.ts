import ts from "typescript";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as aiSdk from "../../src/ai-sdk/index.js";
import * as library from "../../src/index.js";

/**
 * The public surface, pinned: adding, removing or renaming an export of `copilot-gateway` fails here, so a change
 * to the API is a deliberate edit of this list (and of the README's "Use it from code").
 */
const VALUES = [
  "AbortedError",
  "ConnectionError",
  "Copilot",
  "CopilotApiError",
  "DeviceFlowError",
  "EXIT_CODES",
  "GatewayError",
  "ModelCapabilityError",
  "ModelNotEnabledError",
  "NotSignedInError",
  "StreamInterruptedError",
  "StreamProtocolError",
  "TimeoutError",
  "UnknownModelError",
  "UpstreamStreamError",
  "UsageError",
  "createCopilot",
  "deleteStoredGitHubToken",
  "describeError",
  "pollDeviceFlow",
  "readStoredGitHubToken",
  "saveGitHubToken",
  "signIn",
  "signOut",
  "startDeviceFlow",
  "storedLoginPath",
  "storedTokenPath",
];

const TYPES = [
  "AccountStatus",
  "ChatCompletion",
  "ChatCompletionChunk",
  "ChatContentPart",
  "ChatInput",
  "ChatMessage",
  "ChatTool",
  "ChatToolCall",
  "ChatToolChoice",
  "ChatUsage",
  "CopilotApiRequest",
  "CopilotLimits",
  "CopilotModel",
  "CopilotOptions",
  "CopilotStream",
  "CopilotUsage",
  "DeviceCode",
  "DeviceFlowErrorCode",
  "DeviceFlowToken",
  "EmbeddingsRequest",
  "ExitCode",
  "FetchFunction",
  "JsonObject",
  "LimitReading",
  "PollDeviceFlowOptions",
  "QuotaSnapshot",
  "RequestOptions",
  "SignInCode",
  "SignInOptions",
  "SignInResult",
  "StartDeviceFlowOptions",
  "StoredGitHubToken",
  "Timeouts",
  "TokenStoreLocation",
];

/** `copilot-gateway/ai-sdk`. */
const AI_SDK_VALUES = ["copilot", "createCopilotProvider", "isClaudeModelId"];
const AI_SDK_TYPES = [
  "CopilotEmbeddingModel",
  "CopilotLanguageModel",
  "CopilotProvider",
  "CopilotProviderOptions",
];

const ENTRIES = ["src/index.ts", "src/ai-sdk/index.ts"];
let program: ts.Program | undefined;

/** Every export of an entry file with whether its declaration carries a doc comment. */
function exportsWithDocs(entry: string): Map<string, boolean> {
  // One program for both entries: building it parses every declaration file they reach (the slow part).
  program ??= ts.createProgram(ENTRIES, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`${entry} not found`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${entry} is not a module`);
  const out = new Map<string, boolean>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const documented = (symbol.declarations ?? []).some(
      (d) => ts.getJSDocCommentsAndTags(d).length > 0 || ts.getJSDocCommentsAndTags(d.parent).length > 0,
    );
    out.set(exported.name, documented);
  }
  return out;
}

describe("the public surface of copilot-gateway", () => {
  it("exports exactly the pinned values at run time", () => {
    expect(Object.keys(library).sort()).toEqual([...VALUES].sort());
  });

  it("exports exactly the pinned names, types included, each with a doc comment", () => {
    const exported = exportsWithDocs("src/index.ts");
    expect([...exported.keys()].sort()).toEqual([...VALUES, ...TYPES].sort());
    const undocumented = [...exported].filter(([, documented]) => !documented).map(([name]) => name);
    expect(undocumented).toEqual([]);
  }, 90_000);

  it("copilot-gateway/ai-sdk exports exactly its pinned names, each with a doc comment", () => {
    expect(Object.keys(aiSdk).sort()).toEqual(AI_SDK_VALUES);
    const exported = exportsWithDocs("src/ai-sdk/index.ts");
    expect([...exported.keys()].sort()).toEqual([...AI_SDK_VALUES, ...AI_SDK_TYPES].sort());
    expect([...exported].filter(([, documented]) => !documented).map(([name]) => name)).toEqual([]);
  }, 90_000);

  it("package.json exports the two entry points, built to dist/", async () => {
    const pkg = (await import("../../package.json", { with: { type: "json" } })).default as {
      exports: Record<string, unknown>;
    };
    expect(pkg.exports).toEqual({
      ".": { types: "./dist/index.d.ts", import: "./dist/index.js" },
      "./ai-sdk": { types: "./dist/ai-sdk/index.d.ts", import: "./dist/ai-sdk/index.js" },
      "./package.json": "./package.json",
    });
  });

  it("the entry point's types", () => {
    expectTypeOf(library.createCopilot).parameter(0).toEqualTypeOf<library.CopilotOptions | undefined>();
    expectTypeOf(library.createCopilot).returns.toEqualTypeOf<library.Copilot>();
    expectTypeOf<library.Copilot["fetch"]>().toEqualTypeOf<library.FetchFunction>();
    expectTypeOf<library.Copilot["models"]["list"]>().returns.resolves.toEqualTypeOf<
      library.CopilotModel[]
    >();
    expectTypeOf<library.Copilot["chat"]["completions"]["create"]>()
      .parameter(0)
      .toExtend<library.ChatInput>();
    expectTypeOf<library.Copilot["usage"]>().returns.resolves.toEqualTypeOf<library.CopilotUsage>();
    expectTypeOf<library.Copilot["limits"]>().returns.resolves.toEqualTypeOf<library.CopilotLimits>();
    expectTypeOf<library.Copilot["close"]>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<library.CopilotApiError["requestId"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<library.GatewayError["code"]>().toEqualTypeOf<string>();
  });
});
