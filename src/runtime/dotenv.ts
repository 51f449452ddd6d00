/**
 * .env files for development: a chain step after real environment variables and before dev
 * defaults. Parsed with node:util parseEnv, which Node (20.12+) and Deno both provide.
 */
import { join } from "node:path";
import { parseEnv } from "node:util";
import { ConfigError } from "./errors.ts";
import { printable } from "./printable.ts";
import { readSecretFile } from "./files.ts";
import type { Settings } from "./settings.ts";

export interface DotenvValue {
  readonly value: string;
  /** The file it came from, e.g. ".env.local". */
  readonly file: string;
}

export type Dotenv = ReadonlyMap<string, DotenvValue>;

/** Highest precedence first, as Vite and Next.js order them. */
export function dotenvFiles(mode: string): string[] {
  return [`.env.${mode}.local`, ".env.local", `.env.${mode}`, ".env"];
}

/** Every variable of the .env files in the working directory, or an empty map when .env is off. */
export async function readDotenv(settings: Settings): Promise<Dotenv> {
  const variables = new Map<string, DotenvValue>();
  if (!settings.dotenv) return variables;
  for (const file of dotenvFiles(settings.mode)) {
    const result = await readSecretFile(join(settings.cwd, file), { roots: [settings.cwd], maxBytes: settings.maxFileBytes, deadlineMs: settings.timeoutMs });
    if (result.status === "missing") continue;
    if (result.status === "error") throw new ConfigError(`the .env file ${printable(result.message)}`);
    for (const [name, value] of Object.entries(parseEnv(result.value))) {
      if (value !== undefined && !variables.has(name)) variables.set(name, { value, file });
    }
  }
  return variables;
}
