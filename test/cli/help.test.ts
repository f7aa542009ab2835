import { describe, expect, it } from "vitest";
import { runCli, tempHomes } from "./cli-run.js";

const { home, state } = tempHomes();
const env = { HOME: home, COPILOT_GATEWAY_HOME: state };

/** The subcommands a `--help` lists under "Commands:" (without `help` itself). */
function listedCommands(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? "";
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1] as string).filter((n) => n !== "help");
}

/** Every registered subcommand, nested ones included, read from the real CLI's own help. */
async function allCommands(): Promise<string[][]> {
  const found: string[][] = [];
  const walk = async (prefix: string[]) => {
    const { stdout } = await runCli([...prefix, "--help"], env);
    const subs = listedCommands(stdout).map((name) => [...prefix, name]);
    found.push(...subs);
    await Promise.all(subs.map(walk));
  };
  await walk([]);
  return found;
}

describe("every subcommand's --help", () => {
  it("shows the global flags and two or three examples, for each registered subcommand", async () => {
    const commands = await allCommands();
    // The known ones are there (the walk found the tree), nested groups included.
    expect(commands.map((c) => c.join(" "))).toEqual(
      expect.arrayContaining([
        "login",
        "status",
        "models",
        "models enable",
        "chat",
        "serve",
        "env",
        "team users",
      ]),
    );
    const results = await Promise.all(commands.map((c) => runCli([...c, "--help"], env)));
    commands.forEach((command, i) => {
      const { code, stdout } = results[i] ?? { code: -1, stdout: "" };
      const name = command.join(" ");
      expect({ name, code }).toEqual({ name, code: 0 });
      const global = stdout.split(/^Global Options:$/m)[1] ?? "";
      expect(global, name).toMatch(/^ {2}--github-host <host> /m);
      expect(global, name).toMatch(/^ {2}-v, --verbose /m);
      const examples = (stdout.split(/^Examples:$/m)[1] ?? "")
        .split("\n")
        .filter((l) => l.startsWith("  $ "));
      expect(examples.length, name).toBeGreaterThanOrEqual(1);
      expect(examples.length, name).toBeLessThanOrEqual(3);
      for (const line of examples) expect(line, name).toMatch(/copilot-gateway /);
    });
  });

  it("serve --help names the page and the Anthropic API", async () => {
    const { stdout } = await runCli(["serve", "--help"], env);
    expect(stdout).toContain(
      "  /            the web page: sign in, quota, models, live requests, tool setups",
    );
    expect(stdout).toContain(
      "  /v1/messages the Anthropic API (Messages, count_tokens), for Claude Code and the Anthropic SDKs",
    );
  });
});
