/**
 * The object apps read secrets from: frozen, typed by the generated interface, and printing
 * sensitive fields as [redacted] through console.log, util.inspect, Deno.inspect, JSON.stringify
 * and string conversion. Reading `secrets.X` directly returns the real value. A refreshed object
 * reads through getters from `values`, which the refresher replaces field by field; a static one
 * copies plain data properties, the fastest read there is.
 */
import { REDACTED } from "./redaction.ts";

const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");
const DENO_INSPECT = Symbol.for("Deno.customInspect");

export function sealSecrets(values: Readonly<Record<string, unknown>>, sensitive: ReadonlySet<string>, live = false): object {
  const masked = (): Record<string, unknown> =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, sensitive.has(key) && value !== undefined ? REDACTED : value]));
  const hidden = (value: unknown): PropertyDescriptor => ({ value, enumerable: false });
  const fields = live
    ? Object.fromEntries(Object.keys(values).map((key) => [key, { get: () => values[key], enumerable: true }]))
    : {};
  const secrets = Object.defineProperties(
    live ? {} : { ...values },
    {
      ...fields,
      toJSON: hidden(masked),
      toString: hidden(() => "[secrets-gen secrets]"),
      [Symbol.toPrimitive]: hidden(() => "[secrets-gen secrets]"),
      [NODE_INSPECT]: hidden((_depth: number, options: object, inspect: (value: unknown, options: object) => string) =>
        typeof inspect === "function" ? inspect(masked(), options) : masked()),
      [DENO_INSPECT]: hidden((inspect: (value: unknown, options: unknown) => string, options: unknown) => inspect(masked(), options)),
    },
  );
  return Object.freeze(secrets);
}
