import { describeError, EXIT_CODES, isGatewayError } from "../errors.js";
import { redactSecrets } from "../util/redact.js";
import { withHostFlag } from "./output/command-hint.js";

/** The only place the CLI decides an exit code: one line on stderr, never a stack trace unless --verbose. */
export function handleFatal(error: unknown, verbose: boolean, githubHost?: string): void {
  // Ctrl-C is the person's choice, not an error: one calm line, the same for every command.
  const prefix = isGatewayError(error) && error.code === "interrupted" ? "" : "error: ";
  process.stderr.write(`${prefix}${withHostFlag(describeError(error), githubHost)}\n`);
  if (verbose && error instanceof Error && !isGatewayError(error) && error.stack)
    process.stderr.write(`${redactSecrets(error.stack)}\n`);
  process.exitCode = isGatewayError(error) ? error.exitCode : EXIT_CODES.unexpected;
}
