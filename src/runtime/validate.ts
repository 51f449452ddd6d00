import type { FieldState } from "./field-state.ts";
import { redact } from "./redaction.ts";

export type Validated = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/**
 * Run the field's zod schema on the raw value. The message lists zod's issues by path and text,
 * with the raw value masked out, because custom messages may quote their input.
 */
export async function validateField(state: FieldState): Promise<Validated> {
  const raw = state.found?.value;
  const result = await state.spec.validator.safeParseAsync(raw);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
  return { ok: false, message: maskValue(issues, raw) };
}

function maskValue(text: string, raw: unknown): string {
  const masked = typeof raw === "string" && raw.length > 0 ? text.replaceAll(raw, "[redacted]") : text;
  return redact(masked);
}
