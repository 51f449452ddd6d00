/** A problem the CLI user must fix; printed as one line without a stack trace, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

/** The command line itself is wrong; exit code 2 with a pointer to --help. */
export class UsageError extends Error {
  override name = "UsageError";
}
