/**
 * The object apps read secrets from: read-only, typed by the generated interface, and printing
 * sensitive fields as [redacted] through console.log, util.inspect, Deno.inspect, JSON.stringify
 * and string conversion. Reading `secrets.X` directly returns the real value from a plain data
 * property, the fastest read there is. A static object is frozen; a refreshing one is
 * non-extensible with non-writable fields that only replaceField() redefines.
 */
import { REDACTED } from "./redaction.ts";

const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");
const DENO_INSPECT = Symbol.for("Deno.customInspect");

export function sealSecrets(values: Readonly<Record<string, unknown>>, sensitive: ReadonlySet<string>, refreshing = false): object {
  const masked = (): Record<string, unknown> =>
    Object.fromEntries(Object.keys(values).map((key) => {
      const value = (secrets as Record<string, unknown>)[key];
      return [key, sensitive.has(key) && value !== undefined ? REDACTED : value];
    }));
  const hidden = (value: unknown): PropertyDescriptor => ({ value, enumerable: false });
  const field = (value: unknown): PropertyDescriptor => ({ value, enumerable: true, writable: false, configurable: refreshing });
  const secrets: object = Object.defineProperties(
    {},
    {
      ...Object.fromEntries(Object.entries(values).map(([key, value]) => [key, field(value)])),
      toJSON: hidden(masked),
      toString: hidden(() => "[secrets-gen secrets]"),
      [Symbol.toPrimitive]: hidden(() => "[secrets-gen secrets]"),
      [NODE_INSPECT]: hidden((_depth: number, options: object, inspect: (value: unknown, options: object) => string) =>
        typeof inspect === "function" ? inspect(masked(), options) : masked()),
      [DENO_INSPECT]: hidden((inspect: (value: unknown, options: unknown) => string, options: unknown) => inspect(masked(), options)),
    },
  );
  return refreshing ? Object.preventExtensions(secrets) : Object.freeze(secrets);
}

/** Swap in a refreshed value; the property stays non-writable for everyone else. */
export function replaceField(secrets: object, key: string, value: unknown): void {
  Object.defineProperty(secrets, key, { value });
}
