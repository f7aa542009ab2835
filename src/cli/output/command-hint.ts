/**
 * The CLI's advice names commands ("run `copilot-gateway login`"). A user who chose another GitHub host with
 * --github-host must get advice that works for that host, so the flag is added to every command quoted.
 */
export function withHostFlag(text: string, githubHost: string | undefined): string {
  const host = githubHost?.trim();
  if (!host || host.toLowerCase() === "github.com") return text;
  return text.replace(/`copilot-gateway ([^`]*)`/g, (whole, rest: string) =>
    rest.includes("--github-host") ? whole : `\`copilot-gateway ${rest.trimEnd()} --github-host ${host}\``,
  );
}

/** One command of this CLI, as advice to run it, for the host the user chose. */
export function cliCommand(command: string, githubHost: string | undefined): string {
  return withHostFlag(`\`copilot-gateway ${command}\``, githubHost);
}
