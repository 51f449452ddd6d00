import type { z } from "zod";
import { parseRef, RefSyntaxError, type SecretRef } from "./ref.ts";

/** Where a value can come from, in chain order. "dev-default" is a field's devDefault. */
export type SourceKind = "manager" | "kubernetes" | "docker" | "env" | "dotenv" | "dev-default";

/**
 * The sources production accepts unless a field narrows them: everything but dev defaults.
 * ("dotenv" only counts where .env files are read at all, which production does only on request.)
 */
export const PRODUCTION_SOURCES: readonly SourceKind[] = ["manager", "kubernetes", "docker", "env", "dotenv"];

export interface SecretOptions {
  /** External manager ref(s), tried first and in order, e.g. "vault://app/db#url". */
  readonly from?: string | readonly string[];
  /** Environment variable name; defaults to the field name. `<env>_FILE` names a file holding it. */
  readonly env?: string;
  /** File name in the Docker secrets / Kubernetes mount directories; defaults to the field name, then lower case. */
  readonly file?: string;
  /** Value used when nothing else provides one, only outside production. */
  readonly devDefault?: string;
  readonly description?: string;
  /** A missing value is accepted (the field is `T | undefined`). */
  readonly optional?: boolean;
  /** Sources production accepts for this field, e.g. ["manager"]; default all but dev defaults. */
  readonly productionSources?: readonly Exclude<SourceKind, "dev-default">[];
}

const SECRET = Symbol.for("secrets-gen.secret");

export interface SecretField<S extends z.ZodType = z.ZodType> {
  readonly [SECRET]: true;
  readonly schema: S;
  readonly options: SecretOptions;
}

/** A sensitive field: resolved through the whole chain and redacted everywhere. */
export function secret<S extends z.ZodType, const O extends SecretOptions = {}>(
  schema: S,
  options?: O,
): SecretField<O extends { optional: true } ? z.ZodOptional<S> : S> {
  // A non-zod `schema` is passed through untouched: defineSecrets reports it with the field's name.
  const wrapped = options?.optional === true && isZodType(schema) ? schema.optional() : schema;
  return { [SECRET]: true, schema: wrapped as never, options: options ?? {} };
}

export type FieldDefinition = z.ZodType | SecretField;
export type SecretsShape = Readonly<Record<string, FieldDefinition>>;

export type OutputOf<F> = F extends SecretField<infer S> ? z.output<S> : F extends z.ZodType ? z.output<F> : never;
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
  readonly optional: boolean;
  readonly productionSources: readonly SourceKind[];
  readonly validator: z.ZodType;
}

export class SchemaError extends Error {
  override name = "SchemaError";
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const PRODUCTION_CHOICES = new Set<string>(PRODUCTION_SOURCES);

export function isSecretField(value: unknown): value is SecretField {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SECRET] === true;
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
  if (isZodType(prototype) || isSecretField(prototype)) {
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
  if (isZodType(definition)) {
    if (!ENV_NAME.test(name)) fail(`is not a valid environment variable name: use letters, digits and underscores`);
    return Object.freeze({
      name, sensitive: false, env: name, fileEnv: `${name}_FILE`, files: [], from: [], optional: false,
      productionSources: ["env", "dotenv"] as const, validator: definition,
      ...descriptionOf(definition),
    });
  }
  if (!isSecretField(definition)) fail(`is neither a zod schema nor secret(zodSchema, options): wrap it in one of them`);
  const { schema, options } = definition as SecretField;
  if (!isZodType(schema)) fail(`passes something other than a zod schema to secret(): pass a zod schema such as z.string()`);

  // Options come from user code that the type checker may not have seen: check every type here,
  // so a wrong one is a SchemaError naming the field rather than a TypeError from deep inside.
  for (const key of ["env", "file", "devDefault", "description"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "string") fail(`has a ${key} that is ${kindOf(options[key])}, not a string: write it as text`);
  }
  if (options.optional !== undefined && typeof options.optional !== "boolean") fail(`has optional: ${kindOf(options.optional)}: write optional: true or leave it out`);
  const env = options.env ?? name;
  if (!ENV_NAME.test(env)) fail(`has env "${env}", which is not a valid environment variable name: use letters, digits and underscores`);
  if (options.file !== undefined && !FILE_NAME.test(options.file)) {
    fail(`has file "${options.file}", which is not a plain file name: use letters, digits, ".", "-" and "_" without slashes`);
  }
  if (options.file === undefined && !FILE_NAME.test(name)) {
    fail(`is not a plain file name, so it cannot name its secret file: give it a file option such as file: "${name.replace(/[^A-Za-z0-9_.-]/g, "_")}"`);
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
    name, sensitive: true, env, fileEnv: `${env}_FILE`, files, from, optional: options.optional === true,
    productionSources, validator: schema,
    ...(options.devDefault !== undefined ? { devDefault: options.devDefault } : {}),
    ...(options.description !== undefined ? { description: options.description } : descriptionOf(schema)),
  });
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
