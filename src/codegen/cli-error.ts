/** A problem the CLI user must fix; printed as one line without a stack trace, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}
