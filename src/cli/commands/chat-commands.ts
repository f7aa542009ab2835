/** The interactive `chat` session's own commands: handled locally, never sent to the model. */
export type ChatCommand =
  | { kind: "help" }
  | { kind: "model"; id: string | undefined }
  | { kind: "clear" }
  | { kind: "exit" }
  | { kind: "unknown"; name: string };

export const CHAT_COMMANDS_HELP = [
  "/help        this list",
  "/model ID    switch to another model from the catalogue (/model alone names the current one)",
  "/clear       start a new conversation (forget the turns so far)",
  "/exit        end the session (also /quit, or Ctrl-D)",
  "Ctrl-C stops an answer in progress. Any other line is sent to the model.",
].join("\n");

/** The command a line holds, or undefined for a line to send as a prompt. */
export function parseChatCommand(line: string): ChatCommand | undefined {
  if (!line.startsWith("/")) return undefined;
  const [name = "", ...rest] = line.slice(1).trim().split(/\s+/);
  switch (name.toLowerCase()) {
    case "help":
    case "?":
      return { kind: "help" };
    case "model":
      return { kind: "model", id: rest[0] };
    case "clear":
    case "reset":
      return { kind: "clear" };
    case "exit":
    case "quit":
      return { kind: "exit" };
    default:
      return { kind: "unknown", name: `/${name}` };
  }
}
