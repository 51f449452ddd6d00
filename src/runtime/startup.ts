import process from "node:process";
import { SecretsGenError } from "./errors.ts";
import { redact } from "./redaction.ts";

/**
 * The top-level path of generated/index.ts: load, or print the report and end the process
 * with exit code 1. Our own errors print their message only; a stack trace of secrets-gen's
 * internals helps nobody fix a missing secret.
 */
export async function loadOrExit<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const text = redact(String((error as Error)?.message ?? error));
    const message = error instanceof SecretsGenError
      ? error.message
      : (error as Error)?.name === "NotCapable"
        ? `secrets-gen: Deno refused access (${text}): run Deno with --allow-env and --allow-read`
        : `secrets-gen: loading secrets failed unexpectedly: ${text}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}
