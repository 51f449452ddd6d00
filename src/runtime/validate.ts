import { SecretsGenError, withheldName } from "./errors.ts";
import type { FieldState } from "./field-state.ts";
import type { ParseIssue, ParseResult } from "./plan-parser.ts";
import { isZodNode, zodWording, type Wording } from "./zod-wording.ts";

export type Validated = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

const WITHHELD = "a message worded from the input is not shown because it may quote the value";

/**
 * Run the field's zod schema (or its generated plan) on the raw value. A config field's problems
 * are zod's messages. A secret's are shown only in zod's own wording or as fixed text from the
 * schema (see zod-wording.ts): any other message, or a thrown error, may quote the value in any
 * form (trimmed, lower-cased, parsed), which no masking can find, so only its issue code or error
 * class is named. A plan's messages are zod's own, recorded from a schema without custom messages.
 */
export async function validateField(state: FieldState): Promise<Validated> {
  const { validator, sensitive } = state.spec;
  const raw = state.found?.value;
  const wording: Wording | undefined = sensitive && isZodNode(validator) ? await zodWording(validator) : undefined;
  let result: ParseResult;
  try {
    result = await validator.safeParseAsync(raw, wording?.params);
  } catch (error) {
    // Ours (a stale generated module, found when zod is first needed); by class, as a user's error may share a name.
    if (error instanceof SecretsGenError) throw error;
    const what = sensitive ? `${withheldName(error)}; its message is not shown because it may quote the value` : `${withheldName(error)}: ${firstLine(error)}`;
    return { ok: false, message: `its schema threw ${what}` };
  }
  if (result.success) return { ok: true, value: result.data };
  const shown = (issue: ParseIssue) => wording?.safe(issue) ?? true;
  const issues = result.error.issues.map((issue) => {
    const text = shown(issue) ? issue.message : issue.code;
    return issue.path.length > 0 ? `${issue.path.join(".")}: ${text}` : text;
  });
  const withheld = result.error.issues.some((issue) => !shown(issue));
  return { ok: false, message: [...issues, ...(withheld ? [WITHHELD] : [])].join("; ") };
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0]!;
}
