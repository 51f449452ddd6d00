/**
 * JSON objects behind `#key` refs: the parse every provider shares, and the merge step of a `#key`
 * write for managers that keep one text value per secret version (GCP Secret Manager, Azure Key
 * Vault): the latest version's JSON object with one key set, the others kept.
 */
import { ProviderWriteError, type SecretRef } from "./types.ts";

/** The text to store for `ref` (which has a `#key`): `current` (null: no secret yet) with that key set to `value`. */
export function withJsonKey(ref: SecretRef, key: string, current: string | Uint8Array | null, value: string): string {
  if (current === null) return JSON.stringify({ [key]: value });
  const object = typeof current === "string" ? parseJsonObject(current) : undefined;
  if (object === undefined) {
    throw new ProviderWriteError("invalid", `${ref.raw} writes the key "${key}", but the secret's latest version is not a JSON object whose other keys could be kept: drop "#${key}" or store a JSON object there first`);
  }
  return JSON.stringify({ ...object, [key]: value });
}

/** `text` as a JSON object, or undefined when it is not one (not JSON, or an array, null or scalar). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
