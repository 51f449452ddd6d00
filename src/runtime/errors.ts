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
