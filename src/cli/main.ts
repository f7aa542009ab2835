import { Command, CommanderError, Option } from "commander";
import { createCliContext, type GlobalOptions } from "./context.js";
import { handleFatal } from "./fatal.js";

/**
 * The CLI entry. Each command's module is imported only when that command runs, so `--help` stays about as fast
 * as a bare `node` start.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command("copilot-gateway")
    .description(
      "Use your GitHub Copilot seat from any tool: sign in, chat, and serve OpenAI/Anthropic APIs.",
    )
    .version(await readVersion(), "-V, --version")
    .addOption(
      new Option("--github-host <host>", "GitHub host: github.com or SUB.ghe.com").env(
        "COPILOT_GATEWAY_GITHUB_HOST",
      ),
    )
    .addOption(
      new Option("--account-type <type>", "fallback Copilot API: individual, business or enterprise")
        .choices(["individual", "business", "enterprise"])
        .env("COPILOT_GATEWAY_ACCOUNT_TYPE"),
    )
    .addOption(new Option("--github-token <token>", "GitHub token to use (overrides env and stored login)"))
    .addOption(
      new Option(
        "--github-app-id <id>",
        "GitHub App id or client id, for org-billed Copilot (env COPILOT_GATEWAY_GITHUB_APP_ID)",
      ),
    )
    .addOption(
      new Option(
        "--github-app-installation-id <id>",
        "the App's installation id on the organisation to bill (env …_INSTALLATION_ID)",
      ),
    )
    .addOption(
      new Option(
        "--github-app-repository-id <id>",
        "id of a repository the installation can see (env …_REPOSITORY_ID)",
      ),
    )
    .addOption(
      new Option(
        "--github-app-private-key <file>",
        "the App's private key PEM file (env …_PRIVATE_KEY: a path or the PEM text)",
      ),
    )
    .addOption(
      new Option("--client-id <id>", "OAuth client id for the device flow").env("COPILOT_GATEWAY_CLIENT_ID"),
    )
    .addOption(
      new Option("--ca-file <path>", "extra CA certificates (PEM) for TLS-inspecting proxies").env(
        "COPILOT_GATEWAY_CA_FILE",
      ),
    )
    .option("-v, --verbose", "more detail in messages and logs (never secrets)")
    // One line per failure, the way out included (subcommands inherit this).
    .configureOutput({
      outputError: (message, write) =>
        write(
          `${message
            .trim()
            .replace(/\s*\n\s*/g, " ")
            .replace(/\.$/, "")}; run \`copilot-gateway --help\` for usage.\n`,
        ),
    })
    .exitOverride();

  // Loaded just before an action runs (never for --help/--version), so zod stays off the start-up path.
  let resolve: typeof import("../config/settings.js").resolveSettings | undefined;
  program.hook("preAction", async () => {
    resolve ??= (await import("../config/settings.js")).resolveSettings;
  });
  const ctx = () => {
    if (!resolve) throw new Error("settings were not loaded before the command ran");
    return createCliContext(program.opts<GlobalOptions>(), resolve);
  };

  program
    .command("login")
    .description("sign in to GitHub with the device flow and store the token")
    .option("--import", "import a token another Copilot tool already holds, without asking")
    .option("--force", "sign in again even when a stored login exists")
    .option("--no-browser", "do not try to open the browser")
    .action(async (opts) => (await import("./commands/login.js")).login(ctx(), opts));

  program
    .command("logout")
    .description("forget the stored GitHub token for the host")
    .action(async () => (await import("./commands/logout.js")).logout(ctx()));

  program
    .command("token")
    .description("print the stored GitHub token to stdout (for CI secrets, like `gh auth token`)")
    .action(async () => (await import("./commands/token.js")).token(ctx()));

  program
    .command("debug")
    .description(
      "print what a bug report needs: version, runtime, paths, credential source, proxy, CA (never a token)",
    )
    .option("--json", "print one JSON object")
    .action(async (opts) => (await import("./commands/debug.js")).debug(ctx(), opts));

  program
    .command("status")
    .description("show who is signed in, the token source and the Copilot plan (never a token)")
    .option("--json", "print one JSON object")
    .action(async (opts) => (await import("./commands/status.js")).status(ctx(), opts));

  const modelsCommand = program
    .command("models")
    .description("list the models your Copilot seat offers")
    .option("--json", "print the parsed catalogue as a JSON array")
    .action(async (opts) => (await import("./commands/models.js")).models(ctx(), opts));
  modelsCommand
    .command("enable <id>")
    .description("accept a model's terms so it can be used (POST /models/{id}/policy)")
    .action(async (id: string) => (await import("./commands/models.js")).enableModel(ctx(), id));

  program
    .command("chat")
    .description("ask Copilot: streams the answer; interactive on a terminal with no prompt")
    .argument("[prompt...]", "the prompt (stdin is read too when piped)")
    .option("-m, --model <id>", "model id (default: the catalogue's chat default)")
    .option("-s, --system <text>", "system prompt")
    .option("--json", "print the final response object as JSON")
    .option("--no-stream", "wait for the whole answer instead of streaming it")
    .action(async (prompt: string[], opts) => (await import("./commands/chat.js")).chat(ctx(), prompt, opts));

  program
    .command("usage")
    .description("show your plan, quota, session and weekly limits, and reset dates")
    .option("--json", "print the usage report as JSON")
    .option("--history", "print requests and tokens per day and per model (last 30 days)")
    .action(async (opts) => (await import("./commands/usage.js")).usage(ctx(), opts));

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command("serve")
    .description("run the OpenAI-compatible gateway (127.0.0.1:4141 by default)")
    .option("-p, --port <port>", "port to listen on (default 4141, env COPILOT_GATEWAY_PORT)")
    .option("--host <host>", "address to bind (default 127.0.0.1; anything else needs --api-key)")
    .option("--api-key <key>", "require this client key (repeatable or comma-separated)", collect)
    .option("--cors <origin>", "allow browser requests from this origin (repeatable)", collect)
    .option("--model-map <FROM=TO>", "alias a model name for the Anthropic API (repeatable)", collect)
    .option(
      "--model-map-file <path>",
      'JSON file of {"FROM": "TO"} model aliases (env COPILOT_GATEWAY_MODEL_MAP_FILE)',
    )
    .option("--metrics", "serve Prometheus metrics at GET /metrics (behind --api-key when keys are set)")
    .option(
      "--rate-limit <seconds>",
      "at least this many seconds between model requests to Copilot; early ones get 429 (env COPILOT_GATEWAY_RATE_LIMIT)",
    )
    .option("--wait", "with --rate-limit: queue early requests for their slot instead of answering 429")
    .option("--manual", "ask in this terminal before each model request goes to Copilot (approve, deny, all)")
    .option(
      "--metrics-token <token>",
      "team: a bearer token for /metrics besides admins' keys (env COPILOT_GATEWAY_METRICS_TOKEN)",
    )
    .option("--team", "one gateway for many people: each signs in with GitHub and gets a personal key")
    .option("--allow-org <org>", "team: only members of this organisation get a key (repeatable)", collect)
    .option(
      "--admin <login>",
      "team: this GitHub login may manage everybody on the page (repeatable)",
      collect,
    )
    .addOption(
      new Option("--billing <mode>", "team: seat (each person's own) or org (the GitHub App)").choices([
        "seat",
        "org",
      ]),
    )
    .option("--user-rpm <n>", "team: requests per minute per person")
    .option("--user-concurrency <n>", "team: requests in flight per person")
    .option("--trust-proxy", "team: read the client address from X-Forwarded-For (behind a reverse proxy)")
    .option("--public-url <url>", "team: the URL people use (env COPILOT_GATEWAY_PUBLIC_URL)")
    .option("--redis <url>", "team: keep all state in Redis so many replicas can serve (env REDIS_URL)")
    .option("--redis-prefix <prefix>", "team: namespace of the gateway's Redis keys (default cgw)")
    .action(async (opts) => (await import("./commands/serve.js")).serve(ctx(), opts));

  program
    .command("env")
    .description("print the environment that points a tool at the gateway (eval it in your shell)")
    .argument("<target>", "the tool: claude-code, codex, opencode, aider, continue or curl")
    .option("--shell <shell>", "bash, zsh, fish or powershell (default: from $SHELL)")
    .option("-p, --port <port>", "the gateway's port (default 4141, env COPILOT_GATEWAY_PORT)")
    .option("--host <host>", "the gateway's address (default 127.0.0.1, env COPILOT_GATEWAY_HOST)")
    .option("--api-key <key>", "the gateway's API key (default: env COPILOT_GATEWAY_API_KEY)")
    .option("--server <url>", "a team gateway you signed in to with `connect` (uses your personal key)")
    .action(async (target: string, opts) => (await import("./commands/env.js")).env(ctx(), target, opts));

  program
    .command("connect")
    .description("sign in to a team gateway with your GitHub account and store your personal key")
    .argument("<url>", "the team gateway, e.g. https://copilot.example.com")
    .option("--name <name>", "a name for the key (default: connect on HOSTNAME)")
    .option("--json", "print {server, login, key} as JSON")
    .action(async (url: string, opts) => (await import("./commands/connect.js")).connect(ctx(), url, opts));

  const team = program
    .command("team")
    .description("manage a team gateway's people and keys (on its store; works while it runs)");
  team
    .command("users")
    .description("list people: login, organisations, created, last used, keys, disabled")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/team.js")).teamUsers(ctx(), opts));
  team
    .command("keys")
    .description(
      "list personal keys (never the keys themselves): id, person, name, created, last used, revoked",
    )
    .argument("[login]", "only this person's keys")
    .option("--json", "print JSON")
    .action(async (login: string | undefined, opts) =>
      (await import("./commands/team.js")).teamKeys(ctx(), login, opts),
    );
  team
    .command("revoke")
    .description("revoke a key (key_…) or a person (their login: every key, their stored token)")
    .argument("<key-id-or-login>")
    .action(async (target: string) => (await import("./commands/team.js")).teamRevoke(ctx(), target));
  team
    .command("enable")
    .description("let a revoked person sign in again")
    .argument("<login>")
    .action(async (login: string) => (await import("./commands/team.js")).teamEnable(ctx(), login));
  team
    .command("usage")
    .description("requests and tokens per person, model and day (UTC), from the gateway's store")
    .option("--login <login>", "only this person")
    .option("--days <n>", "how many days back, today included (default 30)")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/team.js")).teamUsage(ctx(), opts));
  team
    .command("audit")
    .description("the audit log, newest first: sign-ins, keys created and revoked, admin actions, refusals")
    .option("-n, --limit <n>", "how many entries (default 50)")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./commands/team.js")).teamAudit(ctx(), opts));
  team
    .command("rotate-secret")
    .description("seal with a new key from now on (the old one still opens what it sealed)")
    .action(async () => (await import("./commands/team.js")).teamRotateSecret(ctx()));

  // Examples and the global options under each subcommand's --help: loaded only when help may be printed.
  if (mayPrintHelp(argv)) (await import("./help-text.js")).addHelpExtras(program);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const global = program.opts<GlobalOptions>();
    handleFatal(error, global.verbose === true, global.githubHost);
  }
}

/** `--help`, `-h`, `help`, or a command group named alone (`team`), which commander answers with its help. */
function mayPrintHelp(argv: string[]): boolean {
  return argv.some((a) => a === "--help" || a === "-h" || a === "help") || argv.at(-1) === "team";
}

async function readVersion(): Promise<string> {
  const { readFileSync } = await import("node:fs");
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
