import process from "node:process";
import { isOwnError, withheldError } from "./errors.ts";
import { redact } from "./redaction.ts";

/**
 * The top-level path of generated/index.ts: load, or print the report and end the process
 * with exit code 1. Our own errors print their message only; a stack trace of secrets-gen's
 * internals helps nobody fix a missing secret. Any other error is named by its class: its message
 * may quote a value.
 */
export async function loadOrExit<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const message = isOwnError(error)
      ? (error as Error).message
      : (error as Error)?.name === "NotCapable"
        // Deno's permission errors name the variable or path refused, never a value.
        ? `secrets-gen: Deno refused access (${redact(String((error as Error).message))}): run Deno with --allow-env and --allow-read`
        : `secrets-gen: loading secrets failed unexpectedly with ${withheldError(error)}: run \`npx secrets-gen doctor\` to see which field fails, or report it as a bug if doctor passes`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}
