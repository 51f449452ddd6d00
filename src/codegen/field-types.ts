/**
 * Spell out each field's zod *output* type with the TypeScript checker, so the generated
 * interface shows plain types (`string`, `number | undefined`, `"a" | "b"`) in editors and tsc.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { Project, ts } from "ts-morph";
import { CliError } from "../cli/errors.ts";

export interface FieldType {
  /** The type as TypeScript text, or undefined when it cannot be written portably (see OUTPUT_ALIAS). */
  readonly text: string | undefined;
}

/** The generated module's fallback for types it cannot name itself (local or imported types, brands). */
export const OUTPUT_ALIAS = "SchemaOutput";

const PROBE = "__secrets_gen_probe__.ts";
const PORTABLE_PROBE = "__secrets_gen_portable__.ts";
const FORMAT = ts.TypeFormatFlags.NoTruncation;

export function computeFieldTypes(schemaPath: string, outDir: string, fieldNames: readonly string[]): Map<string, FieldType> {
  const directory = dirname(schemaPath);
  const project = createProject(directory);
  const probe = project.createSourceFile(
    join(directory, PROBE),
    `import type schema from "./${basename(schemaPath)}";\nexport type Output = NonNullable<(typeof schema)["~output"]>;\n`,
    { overwrite: true },
  );
  const alias = probe.getTypeAliasOrThrow("Output");
  const output = alias.getType();
  const texts = new Map<string, string>();
  for (const name of fieldNames) {
    const property = output.getProperty(name);
    if (!property) throw typeCheckFailure(schemaPath, project);
    const type = property.getTypeAtLocation(alias);
    if (type.isAny()) throw typeCheckFailure(schemaPath, project);
    texts.set(name, type.getText(alias, FORMAT));
  }
  const portable = portableTexts(project, schemaPath, outDir, texts);
  return new Map(fieldNames.map((name) => [name, { text: portable.get(name) }]));
}

/**
 * The texts that mean the same type when written in the generated module, which imports nothing
 * from the schema's side: each is declared in a probe file in the output directory, where it must
 * compile and be the very type the schema gives the field (mutually assignable). A local enum,
 * interface or alias, an imported type or a brand fails one or the other (a local
 * `interface Request` would otherwise silently name the global one) and falls back to the schema's
 * own type (OUTPUT_ALIAS).
 */
function portableTexts(project: Project, schemaPath: string, outDir: string, texts: ReadonlyMap<string, string>): Map<string, string> {
  // import("/abs/path").Brand would differ per machine even where it compiles.
  const entries = [...texts].filter(([, text]) => !text.includes("import("));
  const schemaImport = relative(outDir, schemaPath).split(sep).join("/");
  const header = [
    `import type schema from "${schemaImport.startsWith(".") ? schemaImport : `./${schemaImport}`}";`,
    `type Output = NonNullable<(typeof schema)["~output"]>;`,
    `type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;`,
  ];
  // One line per field, so a diagnostic's line tells which field's text does not work there.
  const lines = entries.map(([name, text], index) => `export type T${index} = ${text}; export const same${index}: Same<T${index}, Output[${JSON.stringify(name)}]> = true;`);
  const probe = project.createSourceFile(join(outDir, PORTABLE_PROBE), [...header, ...lines, ""].join("\n"), { overwrite: true });
  const failedLines = new Set(
    probe.getPreEmitDiagnostics()
      .filter((diagnostic) => diagnostic.getCategory() === ts.DiagnosticCategory.Error)
      .map((diagnostic) => diagnostic.getLineNumber()),
  );
  return new Map(entries.filter((_, index) => !failedLines.has(header.length + index + 1)));
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
