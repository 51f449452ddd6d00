import { SecretsLoadError, type Attempt, type FieldFailure } from "./errors.ts";
import { FieldState, type LoadableSchema } from "./field-state.ts";
import { readDotenv, type Dotenv } from "./dotenv.ts";
import { resolveLocally } from "./local-sources.ts";
import { closeProviders, providersFor, resolveManagers } from "./managers.ts";
import { attachProvenance, type Provenance } from "./provenance.ts";
import { redact, rememberSecret } from "./redaction.ts";
import { invalidMessage, missingMessage } from "./report.ts";
import { sealSecrets } from "./secrets-object.ts";
import { checkRefreshFields, resolveSettings, type LoadOptions, type Settings } from "./settings.ts";
import { publishResults, startRefresh } from "./refresh.ts";
import { validateField } from "./validate.ts";
import type { Provider } from "../providers/types.ts";

export type Loader<T> = (options?: LoadOptions) => Promise<T>;

/** One field's outcome. `raw` is the text as found (before zod), for tools that pass values on. */
export type FieldResult =
  | { readonly ok: true; readonly field: string; readonly value: unknown; readonly raw: string | Uint8Array | undefined; readonly provenance: Provenance }
  | { readonly ok: false; readonly field: string; readonly failure: FieldFailure };

/** Every field resolved and validated, failures included. Holds values: never log it whole. */
export interface LoadReport {
  readonly production: boolean;
  readonly results: readonly FieldResult[];
}

/**
 * Resolve and validate every field; throws SecretsLoadError listing every bad field at once.
 * With `refresh`, the object keeps itself current until close(secrets).
 */
export async function loadSecrets<T>(schema: LoadableSchema, options?: LoadOptions): Promise<T> {
  const settings = resolveSettings(options);
  checkRefreshFields(settings.refresh, schema.fields.map((field) => field.name));
  const pool = new Map<string, Provider>(); // built-in providers this loader created
  const started = performance.now();
  const report = await resolveFields(schema, settings, pool).catch(async (error: unknown) => {
    await closeProviders(pool.values());
    throw error;
  });
  publishResults("load", report, performance.now() - started);
  const failures = report.results.flatMap((result) => (result.ok ? [] : [result.failure]));
  // Only a refreshing object needs the providers' clients and logins after this.
  if (failures.length > 0 || !settings.refresh) await closeProviders(pool.values());
  if (failures.length > 0) throw new SecretsLoadError(failures, report.results.length, report.production);

  const values: Record<string, unknown> = {};
  const provenance = new Map<string, Provenance>();
  for (const result of report.results) {
    if (!result.ok) continue;
    values[result.field] = result.value;
    provenance.set(result.field, result.provenance);
  }
  const sensitive = new Set(schema.fields.filter((f) => f.sensitive).map((f) => f.name));
  const secrets = sealSecrets(values, sensitive, settings.refresh !== undefined);
  attachProvenance(secrets, provenance);
  if (settings.refresh) {
    const resolve = (only: ReadonlySet<string>) => resolveFields({ ...schema, fields: schema.fields.filter((field) => only.has(field.name)) }, settings, pool);
    startRefresh({ secrets: secrets as Record<string, unknown>, refresh: settings.refresh, warn: settings.warn, provenance, pool, resolve, ...(settings.k8sDir ? { k8sDir: settings.k8sDir } : {}) });
  }
  return secrets as T;
}

/**
 * Walk every field down the chain and validate it, reporting each field's result instead of
 * throwing on the first bad one. loadSecrets and the CLI's doctor and run commands build on it.
 */
export async function resolveSchema(schema: LoadableSchema, options?: LoadOptions): Promise<LoadReport> {
  const pool = new Map<string, Provider>();
  try {
    // A one-shot resolve closes its providers at once: they must not hold leases for a refresh that never comes.
    return await resolveFields(schema, { ...resolveSettings(options), refresh: undefined }, pool);
  } finally {
    await closeProviders(pool.values());
  }
}

async function resolveFields(schema: LoadableSchema, settings: Settings, pool: Map<string, Provider>): Promise<LoadReport> {
  const states = schema.fields.map((spec) => new FieldState(spec));
  const providers = await providersFor(states, settings, pool, schema.providerLoaders ?? {});

  const dotenv = await readDotenv(settings);
  await resolveManagers(states, providers, settings);
  await Promise.all(states.map((state) => resolveLocally(state, settings, dotenv)));
  for (const state of states) if (state.spec.sensitive && state.found) rememberSecret(state.found.value);
  // Messages are redacted only now, when every value of this load is known: a provider's
  // error text may quote a secret that another source supplied.
  for (const warning of states.flatMap((state) => state.warnings)) settings.warn(redact(warning));

  // Production ignores .env files unless opted in; the report still says when a missing value is only there.
  let ignoredDotenv: Promise<Dotenv> | undefined;
  const dotenvInProduction = () => (settings.production && !settings.dotenv ? (ignoredDotenv ??= readDotenv({ ...settings, dotenv: true }).catch(() => new Map())) : undefined);

  const loadedAt = new Date();
  const results: FieldResult[] = [];
  for (const state of states) {
    const { spec } = state;
    const fail = (message: string) =>
      results.push({ ok: false, field: spec.name, failure: { field: spec.name, message: redact(message), attempts: state.attempts.map(redactAttempt) } });
    if (state.failure) {
      fail(state.failure);
      continue;
    }
    if (!state.found && !spec.optional && !(spec.devOptional && !settings.production)) {
      fail(missingMessage(state, settings, await dotenvInProduction()));
      continue;
    }
    // devOptional outside production: the schema itself requires a value, so zod is not asked.
    const validated = !state.found && !spec.optional ? { ok: true as const, value: undefined } : await validateField(state);
    if (!validated.ok) {
      fail(state.found ? invalidMessage(state, validated.message) : missingMessage(state, settings, await dotenvInProduction()));
      continue;
    }
    if (spec.sensitive) rememberSecret(validated.value);
    results.push({
      ok: true,
      field: spec.name,
      value: validated.value,
      raw: state.found?.value,
      provenance: {
        field: spec.name,
        sensitive: spec.sensitive,
        ...(state.found ? { source: state.found.source, where: state.found.where } : unsetProvenance(validated.value)),
        ...(state.found?.version ? { version: state.found.version } : {}),
        ...(state.found?.ttlSeconds !== undefined ? { ttlSeconds: state.found.ttlSeconds } : {}),
        loadedAt,
      },
    });
  }
  return { production: settings.production, results };
}

/** A field no source had: zod's default or catch supplied its value, or it stays unset (optional). */
function unsetProvenance(value: unknown): Pick<Provenance, "source" | "where"> {
  return value === undefined ? { source: "unset", where: "not set (optional)" } : { source: "schema", where: "schema default" };
}

function redactAttempt(attempt: Attempt): Attempt {
  return attempt.detail === undefined ? attempt : { ...attempt, detail: redact(attempt.detail) };
}
