/** Schema file in, generated files out (as text); writing and drift checks are the caller's. */
import { dirname, join, relative, resolve, sep } from "node:path";
import type { SecretsSchema } from "../schema/define.ts";
import { emitEnvExample } from "./env-example.ts";
import { emitModules, generatedHeader } from "./emit.ts";
import { computeFieldTypes } from "./field-types.ts";
import { loadSchemaInEveryMode } from "./env-modes.ts";
import { compilesToCommonJs } from "./module-format.ts";

export interface GenerateOptions {
  /** Path to secrets.schema.ts. */
  readonly schema: string;
  /** Output directory, default `generated` beside the schema. */
  readonly out?: string;
  /** Where .env.example goes, default beside the schema. */
  readonly envExample?: string;
  readonly runtimeImport?: string;
}

export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

export interface Generated {
  readonly files: GeneratedFile[];
  readonly schema: SecretsSchema;
  /** Environment variables the schema read while evaluated (undefined: not known); its output may depend on them. */
  readonly envRead: readonly string[] | undefined;
}

export async function generate(options: GenerateOptions): Promise<Generated> {
  const schemaPath = resolve(options.schema);
  const root = dirname(schemaPath);
  const out = resolve(options.out ?? join(root, "generated"));
  const { schema, envRead } = await loadSchemaInEveryMode(schemaPath);
  const types = computeFieldTypes(schemaPath, out, schema.fields.map((field) => field.name));
  const commonJs = compilesToCommonJs(root);
  const schemaImport = importSpecifier(out, schemaPath, commonJs);
  const modules = emitModules({ schema, types, schemaImport, runtimeImport: options.runtimeImport ?? "secrets-gen/runtime" });
  return {
    schema,
    envRead,
    files: [
      { path: join(out, "secrets.ts"), content: modules.secrets },
      ...(commonJs ? [] : [{ path: join(out, "index.ts"), content: modules.index }]),
      { path: resolve(options.envExample ?? join(root, ".env.example")), content: emitEnvExample(schema, generatedHeader(relative(root, schemaPath))) },
    ],
  };
}

/**
 * A relative specifier with the .ts extension, which Node (tsx), Deno and tsc all accept; without
 * it for a CommonJS project, whose tsc (node10 resolution, no rewriting) refuses `.ts` imports.
 */
function importSpecifier(fromDir: string, file: string, commonJs: boolean): string {
  const path = relative(fromDir, file).split(sep).join("/");
  const specifier = commonJs ? path.replace(/\.ts$/, "") : path;
  return specifier.startsWith(".") ? specifier : `./${specifier}`;
}
