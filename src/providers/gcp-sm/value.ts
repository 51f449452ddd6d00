/** Turn a verified payload into the outcome for one ref: the whole value, or one `#key` of a JSON object. */
import type { Outcome } from "../types.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Text when the payload is UTF-8 (almost always), else the raw bytes (a plain Uint8Array, not the SDK's Buffer). */
export function decodePayload(data: Uint8Array): string | Uint8Array {
  try {
    return utf8.decode(data);
  } catch {
    return new Uint8Array(data);
  }
}

export function pickKey(value: string | Uint8Array, key: string | undefined, raw: string, version: string): Outcome {
  if (key === undefined) return { status: "found", value, version };
  const invalid = (message: string): Outcome => ({ status: "error", kind: "invalid", message });
  if (typeof value !== "string") return invalid(`ref ${raw} asks for key "${key}", but the secret is binary, not JSON: drop the #key`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return invalid(`ref ${raw} asks for key "${key}", but the secret is not JSON: store a JSON object or drop the #key`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return invalid(`ref ${raw} asks for key "${key}", but the secret is not a JSON object: store a JSON object or drop the #key`);
  }
  const record = parsed as Record<string, unknown>;
  if (!Object.hasOwn(record, key) || record[key] === null) {
    const names = Object.keys(record).slice(0, 20).join(", ") || "none";
    return invalid(`ref ${raw} asks for key "${key}", which the secret does not have (keys: ${names}): fix the key or the secret`);
  }
  const picked = record[key];
  return { status: "found", value: typeof picked === "string" ? picked : JSON.stringify(picked), version };
}
