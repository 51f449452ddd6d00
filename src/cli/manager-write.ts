/**
 * What `push` and `rotate` share: a field's manager ref, the built-in provider for it configured from
 * process.env as the app would, and checking a value against the field's schema without showing it.
 */
import process from "node:process";
import { builtinProviders } from "../providers/registry.ts";
import type { Provider, ResolveContext, SecretRef } from "../providers/types.ts";
import { resolveSettings } from "../runtime/settings.ts";
import type { FieldSpec } from "../schema/define.ts";
import { CliError } from "./errors.ts";

/** The ref a field's value is written to: its first `from` ref, for secrets only. */
export function managerRef(field: FieldSpec): SecretRef | undefined {
  return field.sensitive ? field.from[0] : undefined;
}

/** A fresh built-in provider for the ref's scheme; a scheme with no built-in provider is the user's to fix. */
export async function openProvider(field: FieldSpec, ref: SecretRef): Promise<Provider> {
  const load = builtinProviders[ref.scheme];
  if (!load) {
    throw new CliError(`field ${field.name} uses ref ${ref.raw}, but no built-in provider handles the "${ref.scheme}" scheme (built in: ${Object.keys(builtinProviders).join(", ")}): fix the ref`);
  }
  return (await load())();
}

/** Whether the provider can write (Vault, AWS Secrets Manager so far). */
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
    warn: (message) => process.stderr.write(`secrets-gen: ${message}\n`),
  };
}

/** The zod issue codes the field's schema raises for `value` (empty when it accepts it); never the value or zod's messages. */
export async function rejectionCodes(field: FieldSpec, value: string): Promise<string[]> {
  const result = await field.validator.safeParseAsync(value);
  return result.success ? [] : [...new Set(result.error.issues.map((issue) => issue.code))];
}
