/**
 * A schema module is ordinary code: it may read process.env while it is evaluated (t3-env's
 * `NODE_ENV === "production" ? z.string() : z.string().optional()`). The generated module holds
 * one manifest and one set of plans for every mode, so generation evaluates the schema once per
 * mode (just once when it read no variable at all) and refuses fields that come out differently:
 * the generated code is never right in development and silently wrong (fail-open) in production.
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { SecretsSchema } from "../schema/define.ts";
import { toManifest, type ManifestField } from "../schema/manifest.ts";
import { planOf } from "../schema/plan-of.ts";
import { CliError } from "../cli/errors.ts";
import { loadSchema, NATIVE_TYPESCRIPT } from "./load-schema.ts";

const MODES = ["production", "development", "test"] as const;
// Stack frames name files by path (tsx, Node) or URL (plain Node): either contains the path.
const THIS_FILE = fileURLToPath(import.meta.url);
const EVERY_VARIABLE = "*";
// tsx and what it runs on read their own settings (ESBUILD_BINARY_PATH…) while loading the schema.
const LOADER_PACKAGES = ["tsx", "esbuild"];
type Mode = (typeof MODES)[number];

export interface EvaluatedSchema {
  /** The schema as evaluated for production (identical in the other modes, or generation stops). */
  readonly schema: SecretsSchema;
  /** Environment variables the schema read while it was evaluated ("*": it listed them all); undefined where they cannot be seen (Deno, Bun). */
  readonly envRead: readonly string[] | undefined;
}

export async function loadSchemaInEveryMode(schemaPath: string): Promise<EvaluatedSchema> {
  const native = NATIVE_TYPESCRIPT;
  const read = new Set<string>();
  const evaluated = new Map<Mode, SecretsSchema>();
  for (const mode of MODES) {
    evaluated.set(mode, await (native ? evaluateNatively : evaluateUnder)(mode, schemaPath, read));
    // A schema that read no variable at all cannot come out differently in another mode.
    if (!native && read.size === 0) return { schema: evaluated.get(mode)!, envRead: [] };
  }
  const differing = differingFields(evaluated);
  if (differing.length > 0) throw envDependentError(schemaPath, differing);
  return { schema: evaluated.get("production")!, envRead: native ? undefined : [...read].sort() };
}

/** Evaluate the schema afresh (tsx gives each import its own module graph) with NODE_ENV and SECRETS_ENV set to `mode`, noting every variable it reads. */
async function evaluateUnder(mode: Mode, schemaPath: string, read: Set<string>): Promise<SecretsSchema> {
  const original = process.env;
  const env: NodeJS.ProcessEnv = { ...original, NODE_ENV: mode, SECRETS_ENV: mode };
  const note = (key: string | symbol) => (typeof key === "string" && readBySchema() && read.add(key), key);
  process.env = new Proxy(env, {
    get: (target, key) => Reflect.get(target, note(key)),
    has: (target, key) => Reflect.has(target, note(key)),
    getOwnPropertyDescriptor: (target, key) => Reflect.getOwnPropertyDescriptor(target, note(key)),
    // Listing the variables (a spread, Object.keys) may read any of them.
    ownKeys: (target) => (note(EVERY_VARIABLE), Reflect.ownKeys(target)),
  });
  try {
    return await loadSchema(schemaPath);
  } finally {
    process.env = original;
  }
}

/**
 * Under Deno and Bun, which import the schema themselves, the environment is not swapped or
 * watched, and import() re-evaluates only the schema module itself (a distinct URL per mode), not
 * the modules it imports: the check covers what the schema file reads, and the cache is never trusted.
 */
async function evaluateNatively(mode: Mode, schemaPath: string): Promise<SecretsSchema> {
  const saved = { NODE_ENV: process.env.NODE_ENV, SECRETS_ENV: process.env.SECRETS_ENV };
  Object.assign(process.env, { NODE_ENV: mode, SECRETS_ENV: mode });
  try {
    return await loadSchema(schemaPath, `mode=${mode}`);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * Whether the code reading process.env now is the schema's (its modules or packages it imports),
 * not Node's module loader or tsx (and its esbuild), which read their own settings while loading it.
 */
function readBySchema(): boolean {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const reader = frames.find((frame) => !frame.includes(THIS_FILE));
  return reader !== undefined && !/[( ]node:/.test(reader) && !LOADER_PACKAGES.some((name) => reader.includes(`/node_modules/${name}/`));
}

interface Difference {
  readonly field: string;
  readonly modes: readonly [Mode, Mode];
  /** What differs: manifest keys, "validation rules", or "presence" (declared in the first mode only). */
  readonly what: readonly string[];
}

function differingFields(evaluated: ReadonlyMap<Mode, SecretsSchema>): Difference[] {
  const [[firstMode, firstSchema], ...others] = [...evaluated.entries()] as [[Mode, SecretsSchema], ...[Mode, SecretsSchema][]];
  const a = metadata(firstSchema);
  const differences = new Map<string, Difference>();
  for (const [mode, schema] of others) {
    const b = metadata(schema);
    for (const field of new Set([...a.keys(), ...b.keys()])) {
      if (differences.has(field)) continue;
      const what = whatDiffers(a.get(field), b.get(field));
      // For a field declared in one mode only, the mode that has it comes first.
      if (what.length > 0) differences.set(field, { field, modes: a.has(field) ? [firstMode, mode] : [mode, firstMode], what });
    }
  }
  return [...differences.values()];
}

interface FieldMetadata {
  readonly manifest: ManifestField;
  readonly rules: string;
}

function metadata(schema: SecretsSchema): Map<string, FieldMetadata> {
  const manifest = toManifest(schema.fields);
  return new Map(schema.fields.map((field) => [field.name, { manifest: manifest[field.name]!, rules: JSON.stringify(planOf(field.validator)) }]));
}

function whatDiffers(a: FieldMetadata | undefined, b: FieldMetadata | undefined): string[] {
  if (!a || !b) return ["presence"];
  const keys = new Set([...Object.keys(a.manifest), ...Object.keys(b.manifest)]) as Set<keyof ManifestField>;
  const manifestKeys = [...keys].filter((key) => JSON.stringify(a.manifest[key]) !== JSON.stringify(b.manifest[key]));
  return [...manifestKeys, ...(a.rules === b.rules ? [] : ["validation rules"])];
}

function envDependentError(schemaPath: string, differences: readonly Difference[]): CliError {
  const each = differences.map(({ field, modes: [a, b], what }) =>
    what.includes("presence")
      ? `${field} is declared when NODE_ENV is ${a} but not when it is ${b}`
      : `${field} has a different ${what.join(" and ")} when NODE_ENV is ${a} and when it is ${b}`);
  return new CliError(
    `the schema ${schemaPath} depends on the environment it is evaluated in (${each.join("; ")}), so one generated module cannot be right in every mode: ` +
      `declare the field the same way in every mode, with devOptional: true for "required in production, optional elsewhere" or devDefault for a value used only outside production`,
  );
}
