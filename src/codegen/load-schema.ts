import { pathToFileURL } from "node:url";
import { isSecretsSchema, type SecretsSchema } from "../schema/define.ts";
import { CliError } from "../cli/errors.ts";
import { isOwnError, withheldError } from "../runtime/errors.ts";

/**
 * Import the user's TypeScript schema: natively under Deno, through tsx on Node (so no build
 * step or loader flag is needed). tsx is imported only on Node.
 */
export async function loadSchema(schemaPath: string): Promise<SecretsSchema> {
  const url = pathToFileURL(schemaPath).href;
  let module: { default?: unknown };
  try {
    module = "Deno" in globalThis
      ? await import(url)
      : await (await import("tsx/esm/api")).tsImport(url, import.meta.url);
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(schemaPath)) {
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
