/**
 * JSON objects behind `#key` refs: the parse every provider shares, and the merge step of a `#key`
 * write for managers that keep one text value per secret version (GCP Secret Manager, Azure Key
 * Vault): the latest version's JSON object with one key set, the others kept.
 */
import { ProviderWriteError, type Outcome, type SecretRef } from "./types.ts";

/**
 * What a `#key` write merges into, from the read of the latest version: its value; null when there
 * is no secret (or no version) yet, so a new object starts. A failed read, or a latest version that
 * exists but cannot be read (disabled, destroyed), refuses the write: its other keys would be lost.
 * `unusable` words that refusal for the manager, given the read's reason.
 */
export function latestForKeyWrite(ref: SecretRef, latest: Outcome, unusable: (reason: string | undefined) => string): string | Uint8Array | null {
  if (latest.status === "found") return latest.value;
  if (latest.status === "error") {
    throw new ProviderWriteError(latest.kind, `${ref.raw}: reading the latest version before writing failed: ${latest.message}`);
  }
  if (latest.absent) return null;
  throw new ProviderWriteError("invalid", unusable(latest.reason));
}

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
