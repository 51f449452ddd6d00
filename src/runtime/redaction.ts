/**
 * Every sensitive value loaded in this process, so `redact(text)` can mask them anywhere
 * (log lines, error messages from other libraries, child-process output).
 */
const known = new Set<string>();
let longestFirst: string[] | undefined;

/** Shorter values would mask ordinary words and digits; such secrets are too weak to matter here. */
export const MIN_REDACTED_LENGTH = 4;
export const REDACTED = "[redacted]";

/** Remember a sensitive value: a string, or every string inside a parsed object or array. */
export function rememberSecret(value: unknown, seen = new WeakSet<object>()): void {
  if (typeof value === "object" && value !== null) {
    if (seen.has(value)) return; // a transform may build a cyclic object
    seen.add(value);
    for (const inner of Object.values(value)) rememberSecret(inner, seen);
    return;
  }
  if (typeof value !== "string" || value.length < MIN_REDACTED_LENGTH || known.has(value)) return;
  known.add(value);
  longestFirst = undefined;
}

/** Replace every loaded secret value in `text` with "[redacted]". */
export function redact(text: string): string {
  longestFirst ??= [...known].sort((a, b) => b.length - a.length);
  let result = text;
  for (const value of longestFirst) {
    if (result.includes(value)) result = result.replaceAll(value, REDACTED);
  }
  return result;
}
