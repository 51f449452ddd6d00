/** The environment `secrets-gen run` hands its child: the parent's, plus each loaded field under its env var name. */
import type { FieldResult } from "../runtime/loader.ts";
import type { SecretsSchema } from "../schema/define.ts";
import { CliError } from "./errors.ts";

/**
 * Each field's text as found (before zod), so the child parses exactly what the app would have
 * read. A field filled by the schema itself (a zod .default()) passes its value when it is a
 * string, number, boolean or bigint; an object default has no one env-var spelling, so it is left
 * out and the child's own schema applies its default again. Binary values (a manager's binary
 * secret) and text with a NUL character are refused: an env var cannot hold them, and base64 would
 * silently hand the child a different value than the app reads.
 */
export function childEnv(
  schema: SecretsSchema,
  results: readonly FieldResult[],
  base: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const envNames = new Map(schema.fields.map((field) => [field.name, field.env]));
  const env = { ...base };
  for (const result of results) {
    if (!result.ok) continue;
    const name = envNames.get(result.field)!;
    const text = envText(result);
    if (text !== undefined) env[name] = text;
  }
  return env;
}

function envText(result: Extract<FieldResult, { ok: true }>): string | undefined {
  const { raw, value, provenance } = result;
  if (raw instanceof Uint8Array) {
    throw new CliError(
      `${result.field} came from ${provenance.where} as binary data, which an environment variable cannot hold: store it as text in its source, or read it in the app with loadSecrets()`,
    );
  }
  const text = raw ?? (["string", "number", "boolean", "bigint"].includes(typeof value) ? String(value) : undefined);
  // Node refuses such an env var with an error that quotes it, value and all.
  if (text?.includes("\0")) {
    throw new CliError(
      `${result.field} came from ${provenance.where} with a NUL character, which an environment variable cannot hold: remove it at its source, or read the field in the app with loadSecrets()`,
    );
  }
  return text;
}
