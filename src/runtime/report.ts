/** Turning a field's attempts into one value-free sentence for the start-up report. */
import type { Dotenv } from "./dotenv.ts";
import type { Attempt } from "./errors.ts";
import type { FieldState } from "./field-state.ts";
import { printable } from "./printable.ts";
import type { Settings } from "./settings.ts";

export function summarizeAttempts(attempts: readonly Attempt[]): string {
  if (attempts.length === 0) return "no source was tried";
  return attempts.map((attempt) => `${attempt.where} (${attempt.detail ?? attempt.outcome})`).join(", ");
}

/**
 * Why a required field has no value, what was tried and the ways out. `ignoredDotenv` holds the
 * .env files production did not read, so a value found only there is named as such.
 */
export function missingMessage(state: FieldState, settings: Settings, ignoredDotenv?: Dotenv): string {
  const { spec } = state;
  const skippedDefault = settings.production && spec.devDefault !== undefined ? ", devDefault in the schema (never used in production)" : "";
  const tried = summarizeAttempts(state.attempts.map((attempt) => withIgnoredDotenv(attempt, spec.env, ignoredDotenv))) + skippedDefault;
  const optionalWay = settings.production
    ? "if it may be missing, make it optional in the schema (.optional() or optional: true)"
    : "make it optional in the schema (.optional() or optional: true; devOptional: true to require it in production only)";
  if (!spec.sensitive) return `${spec.name}: no value (tried ${tried}); set the environment variable ${spec.env}, give it a .default() in the schema, or ${optionalWay}.`;
  const ways = [
    ...spec.productionSources.map((source) => howTo(source, state, settings)),
    ...(settings.production ? [] : ["add a devDefault in the schema"]),
    optionalWay,
  ];
  return `${spec.name}: no value found (tried ${tried}); ${ways.filter(Boolean).join(", or ")}.`;
}

/** The env attempt of a variable production found only in an (ignored) .env file says so. */
function withIgnoredDotenv(attempt: Attempt, variable: string, ignoredDotenv: Dotenv | undefined): Attempt {
  const inFile = attempt.source === "env" && attempt.outcome === "missing" ? ignoredDotenv?.get(variable) : undefined;
  if (!inFile) return attempt;
  return { ...attempt, detail: `not set; present in ${inFile.file}, but production ignores .env files: set the env var, or opt in with SECRETS_DOTENV=true` };
}

export function invalidMessage(state: FieldState, problems: string): string {
  const from = state.found ? `the value from ${state.found.where}` : "the missing value";
  return `${state.spec.name}: ${from} is invalid (${problems}); fix it at its source.`;
}

function howTo(source: Attempt["source"], state: FieldState, settings: Settings): string {
  const { spec } = state;
  switch (source) {
    case "manager":
      return spec.from.length > 0 ? `store it at ${spec.from.map((ref) => ref.raw).join(" or ")}` : "";
    case "kubernetes":
      return settings.k8sDir ? `mount it as ${printable(settings.k8sDir)}/${spec.files[0]}` : "";
    case "docker":
      return `put it in ${printable(settings.dockerDir)}/${spec.files[0]} or point ${spec.fileEnv} at a file`;
    case "env":
      return `set the environment variable ${spec.env}`;
    case "dotenv":
      return settings.dotenv ? `add ${spec.env}=… to .env.local` : "";
    case "dev-default":
      return "";
  }
}
