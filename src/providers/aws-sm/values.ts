/** Turns one fetched secret version into the Outcome of each ref that reads it (whole value or a `#key`). */
import { parseJsonObject } from "../json-key.ts";
import type { Outcome, SecretRef } from "../types.ts";

/** The payload of one secret version as the SDK returns it (SecretBinary already base64-decoded). */
export interface SecretPayload {
  readonly SecretString?: string | undefined;
  readonly SecretBinary?: Uint8Array | undefined;
  readonly VersionId?: string | undefined;
}

/** Fans one payload out to its refs; the JSON is parsed at most once however many `#key`s read it. */
export function outcomesFor(payload: SecretPayload, refs: readonly SecretRef[], into: Map<string, Outcome>): void {
  const version = payload.VersionId !== undefined ? { version: payload.VersionId } : {};
  let parsed: { object?: Record<string, unknown> } | undefined;
  for (const ref of refs) {
    if (ref.key === undefined) {
      const value = payload.SecretString ?? payload.SecretBinary;
      into.set(
        ref.raw,
        value === undefined
          ? { status: "missing", reason: "the secret version has no SecretString or SecretBinary" }
          : { status: "found", value, ...version },
      );
      continue;
    }
    parsed ??= { object: parseObject(payload) };
    into.set(ref.raw, pickKey(ref, parsed.object, version));
  }
}

/** The secret as a JSON object, or undefined when it is not one. */
export function parseObject(payload: SecretPayload): Record<string, unknown> | undefined {
  const text = payload.SecretString ?? (payload.SecretBinary ? new TextDecoder().decode(payload.SecretBinary) : undefined);
  return text === undefined ? undefined : parseJsonObject(text);
}

function pickKey(ref: SecretRef, object: Record<string, unknown> | undefined, version: { version?: string }): Outcome {
  const key = ref.key!;
  if (object === undefined) {
    return {
      status: "error",
      kind: "invalid",
      message: `aws-sm ref "${ref.raw}" asks for the key "${key}", but the secret is not a JSON object: drop "#${key}" or store JSON`,
    };
  }
  if (!Object.hasOwn(object, key)) {
    const names = Object.keys(object).slice(0, 20).map((name) => `"${name}"`).join(", ");
    return {
      status: "error",
      kind: "invalid",
      message: `aws-sm ref "${ref.raw}": the secret has no key "${key}" (keys: ${names || "none"}); fix the key or the secret`,
      missingKey: true,
    };
  }
  const value = object[key];
  if (value === null || value === undefined) return { status: "missing", reason: `the key "${key}" is null in the secret` };
  // Non-string JSON (numbers, booleans, nested objects) is handed over as its JSON text for the schema to coerce.
  return { status: "found", value: typeof value === "string" ? value : JSON.stringify(value), ...version };
}
