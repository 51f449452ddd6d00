/** Resolve a schema file the way the app would at start-up, for commands that inspect or pass on the result. */
import process from "node:process";
import { loadSchema } from "../codegen/load-schema.ts";
import { SecretsLoadError } from "../runtime/errors.ts";
import { builtinProviders } from "../providers/registry.ts";
import { resolveSchema, type LoadReport } from "../runtime/loader.ts";
import type { SecretsSchema } from "../schema/define.ts";

export interface CliLoad {
  readonly schema: SecretsSchema;
  readonly report: LoadReport;
  /** The start-up report when any field failed (the app would not start), else undefined. */
  readonly error: SecretsLoadError | undefined;
}

/** Slow managers get a one-line notice after this long, on a terminal only. */
const PROGRESS_AFTER_MS = 1000;

/**
 * Load the schema and resolve every field with the app's own defaults (process.env, NODE_ENV /
 * SECRETS_ENV); `production: true` forces production rules. Warnings go to stderr as at start-up.
 */
export async function loadForCli(schemaPath: string, production: boolean): Promise<CliLoad> {
  const schema = await loadSchema(schemaPath);
  const report = await withProgress(`resolving ${schema.fields.length} fields…`, () =>
    resolveSchema({ fields: schema.fields, providerLoaders: builtinProviders }, production ? { production: true } : {}),
  );
  const failures = report.results.flatMap((result) => (result.ok ? [] : [result.failure]));
  const error = failures.length > 0 ? new SecretsLoadError(failures, report.results.length, report.production) : undefined;
  return { schema, report, error };
}

async function withProgress<T>(message: string, work: () => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return work();
  let shown = false;
  const timer = setTimeout(() => {
    shown = true;
    process.stderr.write(`secrets-gen: ${message}`);
  }, PROGRESS_AFTER_MS);
  try {
    return await work();
  } finally {
    clearTimeout(timer);
    if (shown) process.stderr.write("\r\x1b[K"); // erase the notice so the table starts on a clean line
  }
}
