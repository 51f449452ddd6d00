import type { SourceKind } from "../schema/define.ts";

/** Base of every error secrets-gen throws on purpose; its message is safe to print. */
export class SecretsGenError extends Error {
  override name = "SecretsGenError";
}

/** The set-up is wrong (options, environment, stale generated code, unknown ref scheme). */
export class ConfigError extends SecretsGenError {
  override name = "ConfigError";
}

/** One step of a field's chain and what it said. `where` is a ref, path or variable name, never a value. */
export interface Attempt {
  readonly source: SourceKind;
  readonly where: string;
  readonly outcome: "found" | "missing" | "error" | "not-allowed";
  readonly detail?: string;
}

export interface FieldFailure {
  readonly field: string;
  /** One sentence: what is wrong and what to do. */
  readonly message: string;
  readonly attempts: readonly Attempt[];
}

/** Start-up could not load every field. Lists each bad field; contains no value. */
export class SecretsLoadError extends SecretsGenError {
  override name = "SecretsLoadError";
  readonly failures: readonly FieldFailure[];
  readonly production: boolean;

  constructor(failures: readonly FieldFailure[], totalFields: number, production: boolean) {
    const mode = production ? "production" : "development";
    const header = `secrets-gen: ${failures.length} of ${totalFields} fields could not be loaded (${mode} mode):`;
    super([header, ...failures.map((failure) => `  - ${failure.message}`)].join("\n"));
    this.failures = failures;
    this.production = production;
  }
}

/**
 * An error's name when it is a plain word, else `fallback`: for messages that name a failure
 * without quoting the error's own text, which may hold a value or a token.
 */
export function errorName(error: unknown, fallback = "Error"): string {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === "string" && /^[A-Za-z]{1,40}$/.test(name) ? name : fallback;
}

/** Errors whose messages secrets-gen words itself, value-free; matched by name too, as dist/ and src/ may both be loaded. */
const OWN_ERRORS = new Set(["SecretsGenError", "ConfigError", "SecretsLoadError", "SchemaError", "CliError", "UsageError", "MissingSdkError"]);

export function isOwnError(error: unknown): boolean {
  return error instanceof SecretsGenError || OWN_ERRORS.has((error as { name?: unknown } | null | undefined)?.name as string);
}

/**
 * "a TypeError": an error that is not ours, named without quoting it. A JSON.parse or TypeError
 * message from a transform or library may hold a value, or the first characters of one, which no
 * redaction can find.
 */
export function withheldName(error: unknown): string {
  const name = errorName(error);
  return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`;
}

/** An unknown error named for a last-resort message: "a TypeError (its message is not shown …)". */
export function withheldError(error: unknown): string {
  return `${withheldName(error)} (its message is not shown because it may quote a secret value)`;
}
