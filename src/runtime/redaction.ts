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
  for (const form of secretForms(value)) known.add(form);
  longestFirst = undefined;
}

/**
 * The spellings of a value that count as the value: itself, with its line ends as LF and as CRLF
 * (a PEM key in a file or a child's output), and JSON-escaped (`\n`, `\"`) as a JSON log or file
 * holds it. Other encodings (base64, URL encoding, hex) are out of scope.
 */
export function secretForms(value: string): string[] {
  const forms = [value, value.replaceAll("\r\n", "\n"), value.replace(/\r?\n/g, "\r\n"), JSON.stringify(value).slice(1, -1)];
  return [...new Set(forms)].filter((form) => form.length >= MIN_REDACTED_LENGTH);
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
