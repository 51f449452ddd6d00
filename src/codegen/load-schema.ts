import { pathToFileURL } from "node:url";
import { isSecretsSchema, type SecretsSchema } from "../schema/define.ts";
import { CliError } from "../cli/errors.ts";
import { isOwnError, withheldError } from "../runtime/errors.ts";

/** Deno and Bun import TypeScript themselves; Node needs tsx. */
export const NATIVE_TYPESCRIPT = "Deno" in globalThis || "Bun" in globalThis;

/**
 * Import the user's TypeScript schema: natively under Deno and Bun, through tsx on Node (so no
 * build step or loader flag is needed). tsx is imported only on Node; each tsImport() evaluates
 * the schema and everything it imports afresh.
 */
export async function loadSchema(schemaPath: string, query?: string): Promise<SecretsSchema> {
  // A query makes Deno and Bun evaluate the module afresh rather than return its cached instance.
  const url = pathToFileURL(schemaPath).href + (query ? `?${query}` : "");
  let module: { default?: unknown };
  try {
    module = NATIVE_TYPESCRIPT
      ? await import(url)
      : await (await import("tsx/esm/api")).tsImport(url, import.meta.url);
  } catch (error) {
    // "Cannot find module X imported from <schema>" is a missing import of the schema, not a missing schema.
    const missing = String((error as Error).message).replace(/ imported from .*$/s, "");
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && missing.includes(schemaPath)) {
      throw new CliError(`the schema ${schemaPath} does not exist: create it or pass --schema <path>`);
    }
    // Our SchemaError and tsx's TransformError (a syntax error, quoting the schema's source) are
    // the user's to read. Anything else the schema's code threw may quote a value it read.
    if (isOwnError(error) || (error as Error)?.name === "TransformError") {
      throw new CliError(`the schema ${schemaPath} could not be loaded: ${(error as Error).message}`);
    }
    throw new CliError(`the schema ${schemaPath} could not be loaded: its code threw ${withheldError(error)}: run it with \`npx tsx ${schemaPath}\` to see the error.`);
  }
  // In a package without "type": "module", tsx loads the schema as CommonJS and nests the export once more.
  const exported = isSecretsSchema(module.default) ? module.default : (module.default as { default?: unknown } | undefined)?.default;
  if (!isSecretsSchema(exported)) {
    throw new CliError(`the schema ${schemaPath} has no default export made by defineSecrets(): add \`export default defineSecrets({ ... })\``);
  }
  return exported;
}
