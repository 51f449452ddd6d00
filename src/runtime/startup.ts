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
    const message = error instanceof SecretsGenError
      ? error.message
      : `secrets-gen: loading secrets failed unexpectedly: ${redact(String((error as Error)?.message ?? error))}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}
