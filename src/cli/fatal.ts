import { describeError, EXIT_CODES, isGatewayError } from "../errors.js";

/** The only place the CLI decides an exit code: one line on stderr, never a stack trace unless --verbose. */
export function handleFatal(error: unknown, verbose: boolean): void {
  process.stderr.write(`error: ${describeError(error)}\n`);
  if (verbose && error instanceof Error && !isGatewayError(error) && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exitCode = isGatewayError(error) ? error.exitCode : EXIT_CODES.unexpected;
}
