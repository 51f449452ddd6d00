/**
 * The object apps read secrets from: read-only, typed by the generated interface, and printing
 * sensitive fields as [redacted] through console.log, util.inspect, Deno.inspect, JSON.stringify
 * and string conversion (methods on its own prototype, so its own properties are its fields only).
 *
 * A sensitive field is a non-enumerable getter, so the paths that bypass those methods do not see
 * it: Object.keys/values/entries, spread, Object.assign, for…in, structuredClone and console.table
 * skip non-enumerable properties, and inspect without customInspect (console.dir) or with
 * showHidden prints a getter as [Getter] without calling it. Config fields are plain enumerable
 * data properties. A static object is frozen; a refreshing one is non-extensible with read-only
 * fields that only replaceField() redefines.
 */
import { REDACTED } from "./redaction.ts";

const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");
const DENO_INSPECT = Symbol.for("Deno.customInspect");
const NAME = "[secrets-gen secrets]";

export function sealSecrets(values: Readonly<Record<string, unknown>>, sensitive: ReadonlySet<string>, refreshing = false): object {
  const masked = (): Record<string, unknown> =>
    Object.fromEntries(Object.keys(values).map((key) => {
      const value = (secrets as Record<string, unknown>)[key];
      return [key, sensitive.has(key) && value !== undefined ? REDACTED : value];
    }));
  const printing = Object.freeze(Object.defineProperties(Object.create(Object.prototype) as object, {
    toJSON: { value: masked },
    toString: { value: () => NAME },
    [Symbol.toPrimitive]: { value: () => NAME },
    [NODE_INSPECT]: {
      value: (_depth: number, options: object, inspect: (value: unknown, options: object) => string) =>
        typeof inspect === "function" ? inspect(masked(), options) : masked(),
    },
    [DENO_INSPECT]: { value: (inspect: (value: unknown, options: unknown) => string, options: unknown) => inspect(masked(), options) },
  }));
  const secrets: object = Object.defineProperties(
    Object.create(printing) as object,
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, fieldDescriptor(value, sensitive.has(key), refreshing)])),
  );
  return refreshing ? Object.preventExtensions(secrets) : Object.freeze(secrets);
}

function fieldDescriptor(value: unknown, sensitive: boolean, configurable: boolean): PropertyDescriptor {
  return sensitive
    ? { get: () => value, enumerable: false, configurable }
    : { value, enumerable: true, writable: false, configurable };
}

/** Swap in a refreshed value; the property keeps its kind and stays read-only for everyone else. */
export function replaceField(secrets: object, key: string, value: unknown): void {
  const sensitive = Object.getOwnPropertyDescriptor(secrets, key)?.get !== undefined;
  Object.defineProperty(secrets, key, sensitive ? { get: () => value } : { value });
}
