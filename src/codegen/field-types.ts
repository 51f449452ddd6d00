/**
 * Spell out each field's zod *output* type with the TypeScript checker, so the generated
 * interface shows plain types (`string`, `number | undefined`, `"a" | "b"`) in editors and tsc.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Project, ts, type Type } from "ts-morph";
import { CliError } from "../cli/errors.ts";

export interface FieldType {
  /** The type as TypeScript text, or undefined when it cannot be written portably (see OUTPUT_ALIAS). */
  readonly text: string | undefined;
}

/** The generated module's fallback for types that only exist as imports (brands, library classes). */
export const OUTPUT_ALIAS = "SchemaOutput";

const PROBE = "__secrets_gen_probe__.ts";
const FORMAT = ts.TypeFormatFlags.NoTruncation;

export function computeFieldTypes(schemaPath: string, fieldNames: readonly string[]): Map<string, FieldType> {
  const directory = dirname(schemaPath);
  const project = createProject(directory);
  const probe = project.createSourceFile(
    join(directory, PROBE),
    `import type schema from "./${basename(schemaPath)}";\nexport type Output = NonNullable<(typeof schema)["~output"]>;\n`,
    { overwrite: true },
  );
  const alias = probe.getTypeAliasOrThrow("Output");
  const output = alias.getType();
  const types = new Map<string, FieldType>();
  for (const name of fieldNames) {
    const property = output.getProperty(name);
    if (!property) throw typeCheckFailure(schemaPath, project);
    const type = property.getTypeAtLocation(alias);
    if (type.isAny()) throw typeCheckFailure(schemaPath, project);
    types.set(name, { text: portableText(type, alias) });
  }
  return types;
}

function portableText(type: Type, at: Parameters<Type["getText"]>[0]): string | undefined {
  const text = type.getText(at, FORMAT);
  // import("/abs/path").Brand would differ per machine: refer to the schema's type instead.
  return text.includes("import(") ? undefined : text;
}

function createProject(directory: string): Project {
  const tsConfigFilePath = join(directory, "tsconfig.json");
  const overrides = { allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true, strict: true };
  if (existsSync(tsConfigFilePath)) {
    return new Project({ tsConfigFilePath, skipAddingFilesFromTsConfig: true, compilerOptions: overrides });
  }
  return new Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      ...overrides,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
    },
  });
}

function typeCheckFailure(schemaPath: string, project: Project): CliError {
  const diagnostics = project.getPreEmitDiagnostics()
    .filter((diagnostic) => diagnostic.getCategory() === ts.DiagnosticCategory.Error)
    .slice(0, 3)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.getMessageText() as string | ts.DiagnosticMessageChain, " "));
  const why = diagnostics.length > 0 ? diagnostics.join("; ") : "the checker saw no field types (is zod installed?)";
  return new CliError(`the types of ${schemaPath} could not be computed (${why}): make the schema type-check, then run secrets-gen again`);
}
