/**
 * `loadSecrets` for a generated module. In production, fields are validated by the plans the
 * codegen wrote, so a cold start loads neither zod nor the schema; the schema is imported only
 * when a field needs zod. In development the schema is always imported: it stays the source of
 * truth, and a generated module that no longer matches it (manifest or plans) is refused —
 * in production too whenever the schema is imported, so metadata generated from a schema that
 * evaluates differently in production fails closed.
 */
import process from "node:process";
import { isSecretsSchema, type SecretsSchema } from "../schema/define.ts";
import { toManifest, type Manifest } from "../schema/manifest.ts";
import type { Plans } from "../schema/plan.ts";
import { parseRef } from "../schema/ref.ts";
import type { ProviderLoaders } from "../providers/types.ts";
import { ConfigError } from "./errors.ts";
import type { LoadableSchema, LoaderField } from "./field-state.ts";
import { loadSecrets, type Loader } from "./loader.ts";
import { planParser } from "./plan-parser.ts";
import { isProduction } from "./settings.ts";

export interface GeneratedSecrets {
  /** Where each field may come from, as the codegen saw the schema. */
  readonly manifest: Manifest;
  /** Each field's validator plan, or null where zod validates it. */
  readonly plans: Plans;
  /** Imports secrets.schema.ts (its module); called only when needed. */
  readonly schema: () => Promise<unknown>;
  /** The built-in providers the schema's refs use, by scheme (none: no manager refs). */
  readonly providers?: ProviderLoaders;
}

/** One sentence naming the fields whose generated manifest or plan no longer matches the schema. */
function staleError(fields: readonly string[]): ConfigError {
  return new ConfigError(`the generated secrets module is out of date with its schema (changed: ${fields.join(", ")}): run \`npx secrets-gen\` to regenerate it`);
}

export function createLoader<T>(generated: GeneratedSecrets): Loader<T> {
  let imported: Promise<SecretsSchema> | undefined;
  const schema = () => (imported ??= importChecked(generated));
  return async (options) => {
    const production = isProduction(options?.env ?? process.env, options?.production);
    // A field without a plan entry (a hand-edited or half-written module) goes to zod, whose
    // import then checks the module against the schema.
    const planned = Object.keys(generated.manifest).every((name) => generated.plans[name] != null);
    const fields = production && planned ? plannedSchema(generated, schema) : await schema();
    return loadSecrets<T>({ fields: fields.fields, providerLoaders: generated.providers ?? {} }, options);
  };
}

async function importChecked(generated: GeneratedSecrets): Promise<SecretsSchema> {
  const module = (await generated.schema()) as { default?: unknown };
  if (!isSecretsSchema(module.default)) {
    throw new ConfigError("the generated secrets module imports a schema without a defineSecrets() default export: fix secrets.schema.ts and run `npx secrets-gen`");
  }
  const schema = module.default;
  // The schema as evaluated now (in production: under production's environment) must be what was generated.
  const manifest = toManifest(schema.fields);
  // Loaded only here: planning reads zod's internals, and the schema has loaded zod by now.
  const { planOf } = await import("../schema/plan-of.ts");
  const names = [...new Set([...Object.keys(generated.manifest), ...Object.keys(manifest)])];
  const changed = names.filter((name) => {
    const field = schema.fields.find((spec) => spec.name === name);
    return JSON.stringify(manifest[name]) !== JSON.stringify(generated.manifest[name]) || !field || !samePlan(planOf(field.validator), generated.plans[name] ?? null);
  });
  if (changed.length > 0) throw staleError(changed);
  return schema;
}

/** Plans are compared without their messages: zod's locale may differ at run time, the rules may not. */
function samePlan(a: unknown, b: unknown): boolean {
  const rules = (plan: unknown) => JSON.stringify(plan, (key, value: unknown) => (key === "message" ? undefined : value));
  return rules(a) === rules(b);
}

/** The fields rebuilt from the manifest and plans: no dev defaults, which production never uses. */
function plannedSchema(generated: GeneratedSecrets, schema: () => Promise<SecretsSchema>): Pick<LoadableSchema, "fields"> {
  const fields = Object.entries(generated.manifest).map(([name, field]): LoaderField => {
    const zodFor = async () => (await schema()).fields.find((spec) => spec.name === name)!.validator;
    return {
      name,
      sensitive: field.sensitive,
      ...(field.description !== undefined ? { description: field.description } : {}),
      env: field.env,
      fileEnv: field.fileEnv ?? `${field.env}_FILE`,
      files: field.files,
      from: field.from.map((raw) => parseRef(raw)),
      optional: field.optional,
      devOptional: field.devOptional === true,
      productionSources: field.productionSources,
      validator: planParser(generated.plans[name]!, zodFor),
    };
  });
  return { fields };
}
