import type { z } from "zod";
import { parseRef, RefSyntaxError, type SecretRef } from "./ref.ts";

/** Where a value can come from, in chain order. "dev-default" is a field's devDefault. */
export type SourceKind = "manager" | "kubernetes" | "docker" | "env" | "dotenv" | "dev-default";

/**
 * The sources production accepts unless a field narrows them: everything but dev defaults.
 * ("dotenv" only counts where .env files are read at all, which production does only on request.)
 */
export const PRODUCTION_SOURCES: readonly SourceKind[] = ["manager", "kubernetes", "docker", "env", "dotenv"];

/** Options shared by secret() and config(). */
export interface ConfigOptions {
  /** Environment variable name; defaults to the field name. For a secret, `<env>_FILE` names a file holding it. */
  readonly env?: string;
  readonly description?: string;
  /**
   * Required in production, optional elsewhere: a missing value fails production start-up like
   * any required field, and is `undefined` outside production. The field is `T | undefined`.
   */
  readonly devOptional?: boolean;
}

export interface SecretOptions extends ConfigOptions {
  /** External manager ref(s), tried first and in order, e.g. "vault://app/db#url". */
  readonly from?: string | readonly string[];
  /** File name in the Docker secrets / Kubernetes mount directories; defaults to the field name, then lower case. */
  readonly file?: string;
  /** Value used when nothing else provides one, only outside production. */
  readonly devDefault?: string;
  /** A missing value is accepted in every mode (the field is `T | undefined`); same as zod's `.optional()`. */
  readonly optional?: boolean;
  /** Sources production accepts for this field, e.g. ["manager"]; default all but dev defaults. */
  readonly productionSources?: readonly Exclude<SourceKind, "dev-default">[];
}

const FIELD = Symbol.for("secrets-gen.field");

/**
 * A field declared with secret() or config(). `DevOptional` is type-only: it adds `undefined` to
 * the field's type without making zod accept a missing value, which production must still refuse.
 */
export interface SchemaField<S extends z.ZodType = z.ZodType, DevOptional extends boolean = boolean> {
  readonly [FIELD]: true;
  readonly sensitive: boolean;
  readonly schema: S;
  readonly options: SecretOptions;
  readonly "~devOptional"?: DevOptional;
}

export type SecretField<S extends z.ZodType = z.ZodType, DevOptional extends boolean = boolean> = SchemaField<S, DevOptional> & { readonly sensitive: true };
export type ConfigField<S extends z.ZodType = z.ZodType, DevOptional extends boolean = boolean> = SchemaField<S, DevOptional> & { readonly sensitive: false };

/** `devOptional: true`, or a boolean only known at run time (which may be true), makes the type `T | undefined`. */
type DevOptionalOf<O> = O extends { readonly devOptional: false } ? false : O extends { readonly devOptional: boolean } ? true : false;
/** `optional: true` adds zod's `.optional()`, unless the schema already accepts a missing value (a default keeps its type). */
type OptionalOf<S extends z.ZodType, O> = O extends { readonly optional: true } ? (undefined extends z.input<S> ? S : z.ZodOptional<S>) : S;

/** A sensitive field: resolved through the whole chain and redacted everywhere. */
export function secret<S extends z.ZodType, const O extends SecretOptions = {}>(schema: S, options?: O): SecretField<OptionalOf<S, O>, DevOptionalOf<O>> {
  // A non-zod `schema` is passed through untouched: defineSecrets reports it with the field's name.
  const wrapped = options?.optional === true && isZodType(schema) && !acceptsMissing(schema) ? schema.optional() : schema;
  return { [FIELD]: true, sensitive: true, schema: wrapped as never, options: options ?? {} };
}

/** A plain config field with options: read from env (then .env outside production), never redacted. */
export function config<S extends z.ZodType, const O extends ConfigOptions = {}>(schema: S, options?: O): ConfigField<S, DevOptionalOf<O>> {
  return { [FIELD]: true, sensitive: false, schema, options: options ?? {} };
}

export type FieldDefinition = z.ZodType | SchemaField;
export type SecretsShape = Readonly<Record<string, FieldDefinition>>;

export type OutputOf<F> = F extends SchemaField<infer S, infer DevOptional>
  ? (DevOptional extends true ? z.output<S> | undefined : z.output<S>)
  : F extends z.ZodType ? z.output<F> : never;
export type SecretsOutput<T extends SecretsShape> = { readonly [K in keyof T]: OutputOf<T[K]> };

const SCHEMA = Symbol.for("secrets-gen.schema");

/** What defineSecrets returns: the field definitions plus their normalised specs. */
export interface SecretsSchema<T extends SecretsShape = SecretsShape> {
  readonly [SCHEMA]: true;
  readonly shape: T;
  readonly fields: readonly FieldSpec[];
  /** Type-only: the resolved object's type, read by the codegen's type checker. Never set. */
  readonly "~output"?: SecretsOutput<T>;
}

/** Everything the chain needs to know about one field, derived once from the schema. */
export interface FieldSpec {
  readonly name: string;
  readonly sensitive: boolean;
  readonly description?: string;
  readonly env: string;
  /** `<env>_FILE`, the variable naming a file that holds the value. */
  readonly fileEnv: string;
  /** Candidate file names in the Docker / Kubernetes directories, in order. */
  readonly files: readonly string[];
  readonly from: readonly SecretRef[];
  readonly devDefault?: string;
  /** A missing value is accepted in every mode: zod accepts `undefined` (optional, default, catch…) or `optional: true`. */
  readonly optional: boolean;
  /** A missing value is accepted outside production only. */
  readonly devOptional: boolean;
  readonly productionSources: readonly SourceKind[];
  readonly validator: z.ZodType;
}

export class SchemaError extends Error {
  override name = "SchemaError";
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const PRODUCTION_CHOICES = new Set<string>(PRODUCTION_SOURCES);

export function isSchemaField(value: unknown): value is SchemaField {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[FIELD] === true;
}

export function isSecretsSchema(value: unknown): value is SecretsSchema {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SCHEMA] === true;
}

function isZodType(value: unknown): value is z.ZodType {
  return typeof value === "object" && value !== null && "_zod" in value && typeof (value as z.ZodType).safeParseAsync === "function";
}

/**
 * Names a field cannot have: the loaded object's own members (toJSON, toString), Object.prototype's
 * (constructor, __proto__, valueOf…), and `then`, which would make the object look like a promise.
 */
const RESERVED_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), "toJSON", "then"]);

/** Declare every secret and config value of an app. Throws a SchemaError naming the field on bad options. */
export function defineSecrets<const T extends SecretsShape>(shape: T): SecretsSchema<T> {
  const prototype: unknown = Object.getPrototypeOf(shape);
  if (isZodType(prototype) || isSchemaField(prototype)) {
    throw new SchemaError("the schema has a __proto__ field, which JavaScript takes as the object's prototype rather than a field: rename the field");
  }
  const fields = Object.entries(shape).map(([name, definition]) => toFieldSpec(name, definition));
  return Object.freeze({ [SCHEMA]: true as const, shape, fields: Object.freeze(fields) });
}

function toFieldSpec(name: string, definition: unknown): FieldSpec {
  const fail = (problem: string): never => {
    throw new SchemaError(`field ${name} in the schema ${problem}`);
  };
  if (RESERVED_NAMES.has(name)) fail(`has a name the secrets object or every JavaScript object already uses, so reading secrets.${name} would not give its value: rename the field`);
  const field: SchemaField = isZodType(definition) ? config(definition) : (definition as SchemaField);
  if (!isSchemaField(field)) fail(`is neither a zod schema nor secret(zodSchema, options) or config(zodSchema, options): wrap it in one of them`);
  const { schema, options, sensitive } = field;
  if (!isZodType(schema)) fail(`passes something other than a zod schema to ${sensitive ? "secret" : "config"}(): pass a zod schema such as z.string()`);

  // Options come from user code that the type checker may not have seen: check every type here,
  // so a wrong one is a SchemaError naming the field rather than a TypeError from deep inside.
  for (const key of ["env", "file", "devDefault", "description"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "string") fail(`has a ${key} that is ${kindOf(options[key])}, not a string: write it as text`);
  }
  for (const key of ["optional", "devOptional"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "boolean") fail(`has ${key}: ${kindOf(options[key])}: write ${key}: true or leave it out`);
  }
  const env = options.env ?? name;
  if (!ENV_NAME.test(env)) {
    fail(!sensitive && options.env === undefined
      ? `is not a valid environment variable name: use letters, digits and underscores, or name its variable with config(schema, { env })`
      : `has env "${env}", which is not a valid environment variable name: use letters, digits and underscores`);
  }
  const missing = missingValue(schema);
  const common = {
    name, sensitive, env, optional: missing.accepted || options.optional === true, devOptional: options.devOptional === true,
    validator: schema,
    ...(options.description !== undefined ? { description: options.description } : descriptionOf(schema)),
  };
  if (!sensitive) {
    // Plain config is read from env and .env only: a secret-only option would be silently ignored.
    const secretOnly = (["from", "file", "devDefault", "optional", "productionSources"] as const).find((key) => options[key] !== undefined);
    if (secretOnly) fail(`passes ${secretOnly} to config(), which only secret() fields take: use secret() or say it in the zod schema`);
    return Object.freeze({ ...common, fileEnv: `${env}_FILE`, files: [], from: [], productionSources: ["env", "dotenv"] as const });
  }

  if (options.file !== undefined && !FILE_NAME.test(options.file)) {
    fail(`has file "${options.file}", which is not a plain file name: use letters, digits, ".", "-" and "_" without slashes`);
  }
  if (options.file === undefined && !FILE_NAME.test(name)) {
    fail(`is not a plain file name, so it cannot name its secret file: give it a file option such as file: "${name.replace(/[^A-Za-z0-9_.-]/g, "_")}"`);
  }
  // zod's default applies in every mode, before a devDefault would: the devDefault could never be used.
  if (options.devDefault !== undefined && missing.substituted) {
    fail(`has both a zod default (.default() or .catch()) and a devDefault, so the devDefault would never be used: remove one of them`);
  }
  const refs = options.from === undefined ? [] : typeof options.from === "string" ? [options.from] : options.from;
  if (!Array.isArray(refs) || refs.some((ref) => typeof ref !== "string")) {
    fail(`has a from that is ${kindOf(options.from)}: write one ref such as from: "vault://app/db#password", or a list of them`);
  }
  const from = refs.map((raw) => {
    try {
      return parseRef(raw);
    } catch (error) {
      if (error instanceof RefSyntaxError) return fail(`has a ${error.message}`);
      throw error;
    }
  });
  const productionSources = options.productionSources ?? PRODUCTION_SOURCES;
  if (!Array.isArray(productionSources) || productionSources.length === 0 || productionSources.some((kind) => !PRODUCTION_CHOICES.has(kind))) {
    fail(`has productionSources ${kindOf(productionSources)}: list one or more of ${[...PRODUCTION_CHOICES].join(", ")}`);
  }
  if (productionSources.length === 1 && productionSources[0] === "manager" && from.length === 0) {
    fail(`accepts only a manager in production but has no "from" ref: add one or widen productionSources`);
  }
  const files = options.file !== undefined ? [options.file] : [...new Set([name, name.toLowerCase()])];
  return Object.freeze({
    ...common, fileEnv: `${env}_FILE`, files, from, productionSources,
    ...(options.devDefault !== undefined ? { devDefault: options.devDefault } : {}),
  });
}

/**
 * What zod does with a missing value: accept it (optional, default, catch, nullish, a union with
 * undefined), and whether it substitutes a value (a default or catch). A schema with async
 * refinements cannot be asked synchronously; it counts as requiring a value (fail closed).
 */
function missingValue(schema: z.ZodType): { accepted: boolean; substituted: boolean } {
  try {
    const result = schema.safeParse(undefined);
    return { accepted: result.success, substituted: result.success && result.data !== undefined };
  } catch {
    return { accepted: false, substituted: false };
  }
}

function acceptsMissing(schema: z.ZodType): boolean {
  return missingValue(schema).accepted;
}

/** A short, safe rendering of a bad option value: strings quoted, lists of strings as JSON, anything else by its type. */
function kindOf(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return JSON.stringify(value);
  if (Array.isArray(value)) return "a list with non-text entries";
  return value === null ? "null" : `a ${typeof value}`;
}

/** zod's own `.describe()` text, used when the field has no description option. */
function descriptionOf(schema: z.ZodType): { description?: string } {
  return schema.description !== undefined ? { description: schema.description } : {};
}
