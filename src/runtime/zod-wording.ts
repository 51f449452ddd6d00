/**
 * Which of a secret's zod messages are safe to show. zod's own wording holds types, limits and the
 * schema's options, never the input; a schema's fixed message (`{ error: "must be digits" }`) is
 * text in the code. Anything else — an error function reading the issue, a message a refine or
 * transform adds, a global customError — may quote the value in any form, so it is not shown.
 */
import type { FieldParser } from "./plan-parser.ts";

interface ZodNode {
  readonly _zod: { readonly def: Readonly<Record<string, unknown>> };
}

/** zod names the input object's own keys in this issue's message, so even its wording may carry part of a secret. */
const QUOTES_INPUT = new Set(["unrecognized_keys"]);

export interface Wording {
  /** Parse options that make zod word unworded issues in its locale, recording the words. */
  readonly params: object;
  readonly safe: (issue: { readonly code: string; readonly message: string }) => boolean;
}

export async function zodWording(validator: FieldParser): Promise<Wording> {
  const { config } = await import("zod/v4/core"); // already loaded: the schema imported zod
  const { localeError } = config();
  const words = new Set<string>();
  let fixed: Set<string> | undefined; // walked only when a message needs it
  return {
    // Consulted only after the schema's own messages, and ahead of a global customError.
    params: {
      error: (issue: Parameters<NonNullable<typeof localeError>>[0]) => {
        const worded = localeError?.(issue);
        const message = typeof worded === "string" ? worded : worded?.message;
        if (message && !QUOTES_INPUT.has(issue.code ?? "")) words.add(message);
        return message;
      },
    },
    safe: (issue) => words.has(issue.message) || (fixed ??= fixedMessagesOf(validator)).has(issue.message),
  };
}

export function isZodNode(value: unknown): value is ZodNode {
  return typeof value === "object" && value !== null && "_zod" in value;
}

function fixedMessagesOf(validator: FieldParser): Set<string> {
  try {
    return fixedMessages(validator);
  } catch {
    return new Set(); // a part of the schema that throws when read: its issues show as codes only
  }
}

/**
 * Messages written as fixed text anywhere in the schema. zod turns `error: "text"` and
 * `message: "text"` into a function without parameters, so one that takes none cannot word
 * its message from the issue.
 */
function fixedMessages(node: unknown, found = new Set<string>(), seen = new WeakSet<object>()): Set<string> {
  if (!isZodNode(node) || seen.has(node)) return found;
  seen.add(node);
  const { def } = node._zod;
  if (typeof def.error === "function" && def.error.length === 0) {
    const text: unknown = def.error();
    if (typeof text === "string") found.add(text);
  }
  for (const value of Object.values(def)) {
    const inner = Array.isArray(value) ? value : typeof value === "object" && value !== null && !isZodNode(value) ? Object.values(value) : [value];
    for (const child of inner) fixedMessages(child, found, seen);
  }
  return found;
}
