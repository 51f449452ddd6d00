import { isOwnError, withheldError } from "../runtime/errors.ts";

/** A problem the CLI user must fix; printed as one line without a stack trace, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

/** The command line itself is wrong; exit code 2 with a pointer to --help. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * The line the CLI prints for an error that ended a command. Our own errors are worded
 * value-free; any other error (a bug, or a library quoting its input) is named by its class only,
 * without its message or stack, which may hold a value.
 */
export function describeFailure(error: unknown): string {
  return isOwnError(error)
    ? (error as Error).message
    : `unexpected error: ${withheldError(error)}: rerun the command, and report it as a bug if it persists`;
}
