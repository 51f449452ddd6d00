import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.ts";

/** node:util parseArgs, with its errors turned into UsageError (exit code 2). */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config); // strict by default: unknown flags are errors
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The schema flag every schema-reading command shares. */
export const SCHEMA_OPTION = { schema: { type: "string", short: "s", default: "secrets.schema.ts" } } as const;

/** --help, which every command takes. */
export const HELP_OPTION = { help: { type: "boolean", short: "h", default: false } } as const;

/** --production, for the commands that resolve values as the app would. */
export const PRODUCTION_OPTION = { production: { type: "boolean", default: false } } as const;
