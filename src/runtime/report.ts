/** Turning a field's attempts into one value-free sentence for the start-up report. */
import type { Attempt } from "./errors.ts";
import type { FieldState } from "./field-state.ts";
import { printable } from "./printable.ts";
import type { Settings } from "./settings.ts";

export function summarizeAttempts(attempts: readonly Attempt[]): string {
  if (attempts.length === 0) return "no source was tried";
  return attempts.map((attempt) => `${attempt.where} (${attempt.detail ?? attempt.outcome})`).join(", ");
}

export function missingMessage(state: FieldState, settings: Settings): string {
  const { spec } = state;
  const skippedDefault = settings.production && spec.devDefault !== undefined ? ", devDefault in the schema (never used in production)" : "";
  const tried = summarizeAttempts(state.attempts) + skippedDefault;
  if (!spec.sensitive) return `${spec.name}: no value (tried ${tried}); set the environment variable ${spec.env} or give it a .default() in the schema.`;
  const ways = settings.production
    ? spec.productionSources.map((source) => howTo(source, state, settings))
    : [...spec.productionSources.map((source) => howTo(source, state, settings)), "add a devDefault in the schema"];
  return `${spec.name}: no value found (tried ${tried}); ${ways.filter(Boolean).join(", or ")}.`;
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
