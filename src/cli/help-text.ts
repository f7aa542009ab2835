import type { Command } from "commander";

/**
 * Two or three examples per subcommand, shown under its `--help` (plain data: it costs nothing at start-up). Keyed
 * by the command's path below the program ("models enable", "team users").
 */
const EXAMPLES: Record<string, string[]> = {
  login: [
    "copilot-gateway login                          # device flow: open the URL, enter the code",
    "copilot-gateway login --github-host acme.ghe.com",
    "copilot-gateway login --import                 # reuse a token another Copilot tool holds",
  ],
  logout: ["copilot-gateway logout", "copilot-gateway logout --github-host acme.ghe.com"],
  token: [
    "copilot-gateway token | gh secret set COPILOT_GITHUB_TOKEN",
    "copilot-gateway token --github-host acme.ghe.com",
  ],
  debug: ["copilot-gateway debug", "copilot-gateway debug --json > debug.json"],
  status: [
    "copilot-gateway status",
    "copilot-gateway status --json | jq .plan",
    "GH_TOKEN=gho_… copilot-gateway status         # check a token before using it",
  ],
  models: [
    "copilot-gateway models",
    "copilot-gateway models --json | jq '.[].id'",
    "copilot-gateway models enable claude-sonnet-4.5",
  ],
  "models enable": ["copilot-gateway models enable claude-sonnet-4.5"],
  chat: [
    'copilot-gateway chat "explain CRDTs"',
    'git diff | copilot-gateway chat -m claude-sonnet-4.5 "review this diff"',
    "copilot-gateway chat                           # interactive; /help lists /model /clear /exit",
  ],
  usage: [
    "copilot-gateway usage",
    "copilot-gateway usage --history",
    "copilot-gateway usage --json | jq .quota_snapshots",
  ],
  serve: [
    "copilot-gateway serve                          # http://127.0.0.1:4141, page at /",
    'copilot-gateway serve --port 8080 --api-key "$(openssl rand -hex 16)"',
    "copilot-gateway serve --team --allow-org acme --public-url https://copilot.acme.dev",
  ],
  env: [
    'eval "$(copilot-gateway env claude-code)"       # then run `claude`',
    "copilot-gateway env codex >> ~/.codex/config.toml",
    "copilot-gateway env curl --port 8080",
  ],
  connect: [
    "copilot-gateway connect https://copilot.acme.dev",
    'eval "$(copilot-gateway env claude-code --server https://copilot.acme.dev)"',
  ],
  team: [
    "copilot-gateway team users",
    "copilot-gateway team revoke octocat",
    "copilot-gateway team audit -n 20",
  ],
  "team users": ["copilot-gateway team users", "copilot-gateway team users --json"],
  "team keys": ["copilot-gateway team keys", "copilot-gateway team keys octocat --json"],
  "team revoke": ["copilot-gateway team revoke key_01J…", "copilot-gateway team revoke octocat"],
  "team enable": ["copilot-gateway team enable octocat"],
  "team usage": [
    "copilot-gateway team usage",
    "copilot-gateway team usage --login octocat --days 7",
    "copilot-gateway team usage --days 90 --json",
  ],
  "team audit": ["copilot-gateway team audit", "copilot-gateway team audit -n 200 --json"],
  "team rotate-secret": ["copilot-gateway team rotate-secret"],
};

/** What `serve --help` adds above its examples: where the page and the two APIs live. */
const SERVE_NOTE = [
  "Serves, on one port:",
  "  /            the web page: sign in, quota, models, live requests, tool setups",
  "  /v1/...      the OpenAI API (chat/completions, responses, embeddings, models)",
  "  /v1/messages the Anthropic API (Messages, count_tokens), for Claude Code and the Anthropic SDKs",
  "Point a tool at it with `copilot-gateway env TARGET`.",
];

function path(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Give every subcommand (nested ones too) the global options in its `--help` and its examples. Called once all
 * commands are registered, so a command added later still gets the global options (commander inherits the help
 * configuration) and fails the help test until it has examples.
 */
export function addHelpExtras(program: Command): void {
  const visit = (command: Command) => {
    for (const sub of command.commands) {
      // Only the program's own options: a parent command's (`models --json`) are not global to `models enable`.
      sub.configureHelp({
        showGlobalOptions: true,
        visibleGlobalOptions: () => program.options.filter((option) => !option.hidden),
      });
      const examples = EXAMPLES[path(sub)];
      const note = path(sub) === "serve" ? `\n${SERVE_NOTE.join("\n")}\n` : "";
      if (examples || note) {
        const list = examples ? `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n` : "";
        sub.addHelpText("after", `${note}${list}`);
      }
      visit(sub);
    }
  };
  visit(program);
}
