import { isSecretsSchema, type SecretsSchema } from "../schema/define.ts";
import { toManifest, type Manifest } from "../schema/manifest.ts";
import { ConfigError, SecretsLoadError, type Attempt, type FieldFailure } from "./errors.ts";
import { FieldState } from "./field-state.ts";
import { resolveLocally } from "./local-sources.ts";
import { providersFor, resolveManagers } from "./managers.ts";
import { attachProvenance, type Provenance } from "./provenance.ts";
import { redact, rememberSecret } from "./redaction.ts";
import { invalidMessage, missingMessage } from "./report.ts";
import { sealSecrets } from "./secrets-object.ts";
import { resolveSettings, type LoadOptions } from "./settings.ts";
import { validateField } from "./validate.ts";

export type Loader<T> = (options?: LoadOptions) => Promise<T>;

/**
 * Build the `loadSecrets` function of a generated module. `manifest` is what the codegen saw;
 * when the schema has changed since, loading refuses rather than trusting stale types.
 */
export function createLoader<T>(schema: SecretsSchema, manifest?: Manifest): Loader<T> {
  if (!isSecretsSchema(schema)) {
    throw new ConfigError("createLoader() needs the default export of secrets.schema.ts (made with defineSecrets): pass that object");
  }
  if (manifest !== undefined && JSON.stringify(toManifest(schema.fields)) !== JSON.stringify(manifest)) {
    throw new ConfigError("the generated secrets module is out of date with its schema: run `npx secrets-gen` to regenerate it");
  }
  return (options) => loadSecrets<T>(schema, options);
}

/** Resolve and validate every field; throws SecretsLoadError listing every bad field at once. */
export async function loadSecrets<T>(schema: SecretsSchema, options?: LoadOptions): Promise<T> {
  const settings = resolveSettings(options);
  const states = schema.fields.map((spec) => new FieldState(spec));
  const providers = await providersFor(states, settings);

  await resolveManagers(states, providers, settings);
  await Promise.all(states.map((state) => resolveLocally(state, settings)));
  for (const state of states) if (state.spec.sensitive && state.found) rememberSecret(state.found.value);
  // Messages are redacted only now, when every value of this load is known: a provider's
  // error text may quote a secret that another source supplied.
  for (const warning of states.flatMap((state) => state.warnings)) settings.warn(redact(warning));

  const values: Record<string, unknown> = {};
  const provenance = new Map<string, Provenance>();
  const failures: FieldFailure[] = [];
  const loadedAt = new Date();
  for (const state of states) {
    const { spec } = state;
    const fail = (message: string) => failures.push({ field: spec.name, message: redact(message), attempts: state.attempts.map(redactAttempt) });
    if (state.failure) {
      fail(state.failure);
      continue;
    }
    if (!state.found && spec.sensitive && !spec.optional) {
      fail(missingMessage(state, settings));
      continue;
    }
    const validated = await validateField(state);
    if (!validated.ok) {
      fail(state.found ? invalidMessage(state, validated.message) : missingMessage(state, settings));
      continue;
    }
    values[spec.name] = validated.value;
    if (spec.sensitive) rememberSecret(validated.value);
    provenance.set(spec.name, {
      field: spec.name,
      sensitive: spec.sensitive,
      source: state.found?.source ?? "schema",
      where: state.found?.where ?? "schema default",
      ...(state.found?.version ? { version: state.found.version } : {}),
      loadedAt,
    });
  }
  if (failures.length > 0) throw new SecretsLoadError(failures, states.length, settings.production);

  const secrets = sealSecrets(values, new Set(schema.fields.filter((f) => f.sensitive).map((f) => f.name)));
  attachProvenance(secrets, provenance);
  return secrets as T;
}

function redactAttempt(attempt: Attempt): Attempt {
  return attempt.detail === undefined ? attempt : { ...attempt, detail: redact(attempt.detail) };
}
