import type { CopilotModel } from "../../copilot/models.js";
import { premiumLabel } from "../../copilot/wording.js";
import type { CliContext } from "../context.js";
import { openCopilotClient } from "../copilot-client.js";
import { compactNumber, jsonOutput } from "../output/format.js";
import { createStyle, type Style } from "../output/style.js";
import { fitColumns, renderTable, wrapWords } from "../output/table.js";

export interface ModelsOptions {
  json?: boolean;
}

const ENDPOINT_NAMES: Record<string, string> = {
  "/chat/completions": "chat",
  "/responses": "responses",
  "/v1/messages": "messages",
  "ws:/responses": "ws",
};

function endpoints(model: CopilotModel): string {
  if (model.capabilities.type === "embeddings") return "embeddings";
  if (!model.supported_endpoints)
    return model.capabilities.type === "chat" ? "chat" : model.capabilities.type;
  return model.supported_endpoints.map((e) => ENDPOINT_NAMES[e] ?? e).join(",");
}

function yesNo(value: boolean | undefined, style: Style): string {
  return value ? style.green("yes") : style.dim("no");
}

function policy(state: string, style: Style): string {
  if (state === "enabled") return state;
  return state === "disabled" ? style.red(state) : style.yellow(state);
}

/** The terminal's width when stdout is one (COLUMNS when the terminal does not say); undefined when piped. */
function terminalWidth(ctx: CliContext): number | undefined {
  if (!ctx.stdout.isTTY) return undefined;
  const fromEnv = Number.parseInt(ctx.env.COLUMNS ?? "", 10);
  return ctx.stdout.columns || (fromEnv > 0 ? fromEnv : 80);
}

/** `copilot-gateway models [--json]`: the seat's catalogue as a table, or the parsed list as JSON. */
export async function models(ctx: CliContext, opts: ModelsOptions = {}): Promise<void> {
  const client = await openCopilotClient(ctx);
  const [list, { defaultChatModel, modelPolicyState }] = await Promise.all([
    client.models(),
    import("../../copilot/models.js"),
  ]);
  const skipped = client.skippedModels();
  if (ctx.options.verbose && skipped.length > 0) {
    const names = skipped.map((s) => s.id ?? "(no id)").join(", ");
    ctx.stderr.write(
      `note: skipped ${skipped.length} catalogue entr${skipped.length === 1 ? "y" : "ies"} that did not parse: ${names}\n`,
    );
  }
  if (opts.json) {
    ctx.stdout.write(jsonOutput(list));
    return;
  }
  const style = createStyle(ctx.stdout, ctx.env);
  const fallback = defaultChatModel(list)?.id;
  const rows = list.map((m) => [
    m.id === fallback ? `${m.id} ${style.cyan("*")}` : m.id,
    m.vendor ?? "-",
    compactNumber(m.capabilities.limits?.max_context_window_tokens),
    yesNo(m.capabilities.supports?.vision, style),
    yesNo(m.capabilities.supports?.tool_calls, style),
    endpoints(m),
    policy(modelPolicyState(m), style),
    premiumLabel(m.billing),
  ]);
  const headers = ["ID", "VENDOR", "CONTEXT", "VISION", "TOOLS", "ENDPOINTS", "POLICY", "PREMIUM"];
  // On a narrow terminal the least useful columns go first (vendor, vision, tools…); ID, PREMIUM and POLICY stay.
  // Piped output keeps every column: a script reads the same table at any width.
  const width = terminalWidth(ctx);
  const { keep, dropped } = fitColumns(headers, rows, [1, 3, 4, 5, 2], width);
  const pick = (cells: string[]) => keep.map((i) => cells[i] ?? "");
  ctx.stdout.write(`${renderTable(pick(headers), rows.map(pick), style)}\n`);
  if (dropped.length > 0) {
    const names = dropped.map((i) => headers[i]).join(", ");
    const note = `Hidden to fit the terminal: ${names} (a wider terminal or --json shows them).`;
    ctx.stdout.write(`\n${style.dim(wrapWords(note, width))}\n`);
  }
  if (fallback)
    ctx.stdout.write(
      `\n${style.dim(wrapWords("* the chat default (used when --model is not given)", width))}\n`,
    );
}

/** `copilot-gateway models enable <id>`: accept a model's terms so it can be used. */
export async function enableModel(ctx: CliContext, id: string): Promise<void> {
  const client = await openCopilotClient(ctx);
  const { changed } = await client.enableModel(id);
  ctx.stderr.write(changed ? `Enabled ${id}.\n` : `${id} is already enabled.\n`);
}
