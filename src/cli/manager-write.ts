/**
 * What `push`, `rotate`, `pull` and `migrate` share: a field's manager ref, the built-in providers for
 * the refs configured from process.env as the app would, reading refs in one batch per provider,
 * comparing a value with the manager's, and checking a value against the field's schema without showing it.
 */
import process from "node:process";
import { builtinProviders } from "../providers/registry.ts";
import { ProviderWriteError, type Outcome, type Provider, type ResolveContext, type SecretRef } from "../providers/types.ts";
import { resolveSettings } from "../runtime/settings.ts";
import { errorName, withheldName } from "../runtime/errors.ts";
import type { FieldSpec } from "../schema/define.ts";
import { CliError, UsageError } from "./errors.ts";

/** The ref a field's value is written to: its first `from` ref, for secrets only. */
export function managerRef(field: FieldSpec): SecretRef | undefined {
  return field.sensitive ? field.from[0] : undefined;
}

/** The secret fields with a manager ref, narrowed by --only (whose names must be such fields). */
export function selectFields(all: readonly FieldSpec[], only: string | undefined): FieldSpec[] {
  const managed = all.filter((field) => managerRef(field) !== undefined);
  if (only === undefined) return managed;
  const names = only.split(",").map((name) => name.trim()).filter(Boolean);
  const unknown = names.find((name) => !managed.some((field) => field.name === name));
  if (unknown !== undefined) throw new UsageError(`--only names ${unknown}, which is not a secret field with a "from" ref in the schema`);
  return managed.filter((field) => names.includes(field.name));
}

/** A fresh built-in provider for the ref's scheme; a scheme with no built-in provider is the user's to fix. */
export async function openProvider(field: FieldSpec, ref: SecretRef): Promise<Provider> {
  const load = builtinProviders[ref.scheme];
  if (!load) {
    throw new CliError(`field ${field.name} uses ref ${ref.raw}, but no built-in provider handles the "${ref.scheme}" scheme (built in: ${Object.keys(builtinProviders).join(", ")}): fix the ref`);
  }
  return (await load())();
}

/** Whether the provider can write (built in: Vault KV v2, AWS Secrets Manager, GCP Secret Manager, Azure Key Vault). */
export function canWrite(provider: Provider): provider is Provider & { write: NonNullable<Provider["write"]> } {
  return typeof provider.write === "function";
}

/** The context an app would give its providers: process.env, the start-up deadline, production from NODE_ENV / SECRETS_ENV. */
export function providerContext(): ResolveContext {
  const settings = resolveSettings();
  return {
    env: settings.env,
    signal: AbortSignal.timeout(settings.timeoutMs),
    production: settings.production,
    maxAnswerBytes: settings.maxAnswerBytes,
    warn: (message) => process.stderr.write(`secrets-gen: ${message}\n`),
  };
}

/**
 * The zod issue codes the field's schema raises for `value` (empty when it accepts it); never the
 * value or zod's messages. A transform or refine that throws is named by its error's class only.
 */
export async function rejectionCodes(field: FieldSpec, value: string): Promise<string[]> {
  try {
    const result = await field.validator.safeParseAsync(value);
    return result.success ? [] : [...new Set(result.error.issues.map((issue) => issue.code))];
  } catch (error) {
    return [`the schema threw ${withheldName(error)}`];
  }
}

/** Built-in providers opened on first use, one per scheme, and closed together. */
export class ProviderPool {
  readonly #open = new Map<string, Promise<Provider>>();

  /** The provider for the ref's scheme; rejects with a CliError naming the field when no built-in handles it. */
  get(field: FieldSpec, ref: SecretRef): Promise<Provider> {
    let provider = this.#open.get(ref.scheme);
    if (!provider) {
      provider = openProvider(field, ref);
      this.#open.set(ref.scheme, provider);
    }
    return provider;
  }

  /**
   * What each manager holds at the refs, one batch per provider, keyed by `ref.raw`. A ref whose
   * scheme has no built-in provider gets an "invalid" error outcome rather than failing the others.
   */
  async read(entries: readonly { readonly field: FieldSpec; readonly ref: SecretRef }[]): Promise<Map<string, Outcome>> {
    const out = new Map<string, Outcome>();
    const byScheme = new Map<string, (typeof entries)[number][]>();
    for (const entry of entries) byScheme.set(entry.ref.scheme, [...(byScheme.get(entry.ref.scheme) ?? []), entry]);
    await Promise.all(
      [...byScheme.values()].map(async (group) => {
        let provider: Provider;
        try {
          provider = await this.get(group[0]!.field, group[0]!.ref);
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          for (const { ref } of group) out.set(ref.raw, { status: "error", kind: "invalid", message: error.message });
          return;
        }
        const refs = [...new Map(group.map(({ ref }) => [ref.raw, ref])).values()];
        for (const [raw, outcome] of await provider.resolve(refs, providerContext())) out.set(raw, outcome);
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    const opened = await Promise.allSettled(this.#open.values());
    this.#open.clear();
    await Promise.allSettled(opened.map((result) => (result.status === "fulfilled" ? result.value.close?.() : undefined)));
  }
}

/** The text of a found value (binary secrets as UTF-8). */
export const valueText = (value: string | Uint8Array): string => (typeof value === "string" ? value : new TextDecoder().decode(value));

/**
 * How `value` compares with what a manager answered for the ref: "absent" when a write would create it
 * (no secret, or the secret has no such `#key`), "equal", "different", or the manager's error.
 */
export function compareWith(outcome: Outcome | undefined, value: string): "absent" | "equal" | "different" | Extract<Outcome, { status: "error" }> {
  if (outcome === undefined || outcome.status === "missing" || (outcome.status === "error" && outcome.missingKey)) return "absent";
  if (outcome.status === "error") return outcome;
  return valueText(outcome.value) === value ? "equal" : "different";
}

/**
 * Why a write or delete failed, as a row shows it. Providers raise ProviderWriteError with a
 * value-free sentence; anything else is a provider bug whose text (an SDK error may echo the
 * request) is not shown, only its name.
 */
export function writeFailure(error: unknown, action: "write" | "delete"): { kind: string; message: string } {
  if (error instanceof ProviderWriteError) return { kind: error.kind, message: error.message };
  return { kind: action, message: `the ${action} failed with an unexpected ${errorName(error, "error")}, whose text is not shown because it may quote the value: check the manager, and report this as a provider bug` };
}
