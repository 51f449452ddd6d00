/**
 * Per-target command-line flags: what each one takes, and how its text becomes the target's
 * options. Values are checked before the schema loads, so a typo costs no generation run.
 */
import { UsageError } from "../../cli/errors.ts";
import type { Manifest } from "../../schema/manifest.ts";
import type { TargetContext, TargetFile } from "./target.ts";

/** What a flag takes, for --help and for the error when its text is not valid. */
export interface FlagText {
  /** What to write after the flag, as --help shows it. */
  readonly value: string;
  readonly help: string;
  /** Repeatable: each occurrence adds to the option. */
  readonly multiple?: true;
  /** The text it accepts, described for the error (`a namespace (…)`), and a valid example. */
  readonly valid: RegExp;
  readonly expected: string;
  readonly example: string;
}

export interface TargetFlag<O> extends FlagText {
  /** The options after one occurrence of the flag. */
  readonly apply: (text: string, options: O) => O;
}

/** A flag as the command line sees it, whatever target takes it. */
export type FlagSpec = Pick<FlagText, "value" | "help" | "multiple">;

/** Flag values as node:util parseArgs returns them, by flag name without `--`. */
export type FlagValues = Readonly<Record<string, string | boolean | readonly (string | boolean)[] | undefined>>;

export interface Target {
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Emit with options given in code (library use and tests). */
  readonly emit: (manifest: Manifest, options: TargetContext) => TargetFile[];
  /** Emit with the options the flags set; throws UsageError naming the flag when a value is not valid. */
  readonly configure: (values: FlagValues) => (manifest: Manifest, context: TargetContext) => TargetFile[];
}

/** Binds a target's typed options to its flags, and hides the option type from the registry. */
export function defineTarget<O extends object>(target: {
  readonly summary: string;
  readonly flags: Readonly<Record<string, TargetFlag<O>>>;
  readonly emit: (manifest: Manifest, options: TargetContext & O) => TargetFile[];
}): Target {
  return {
    summary: target.summary,
    flags: target.flags,
    emit: (manifest, options) => target.emit(manifest, options as TargetContext & O),
    configure(values) {
      let options = {} as O;
      const given: string[] = [];
      // Declaration order, not command-line order: the header's regenerate command stays byte-stable.
      for (const [name, flag] of Object.entries(target.flags)) {
        for (const text of [values[name] ?? []].flat().map(String)) {
          if (!flag.valid.test(text)) {
            throw new UsageError(`--${name} takes ${flag.expected}, not ${JSON.stringify(text)}: write e.g. --${name} ${flag.example}`);
          }
          options = flag.apply(text, options);
          given.push(`--${name} ${shellWord(text)}`);
        }
      }
      return (manifest, context) => target.emit(manifest, { ...context, flags: given.join(" "), ...options });
    },
  };
}

/** A flag that sets one option to its text. */
export function textFlag<O>(key: keyof O, spec: FlagText): TargetFlag<O> {
  return { ...spec, apply: (text, options) => ({ ...options, [key]: text }) };
}

/** Exactly one of the choices. */
export const oneOf = (...choices: string[]): RegExp => new RegExp(`^(?:${choices.map((choice) => choice.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`);

/** Kubernetes object names (RFC 1123): a DNS label, and a DNS subdomain (dot-separated labels). */
const LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
export const DNS_LABEL = new RegExp(`^${LABEL}$`);
export const DNS_SUBDOMAIN = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
export const K8S_NAME = "a Kubernetes name (lower-case letters, digits, - and ., starting and ending with a letter or digit)";

/** Any text on one line: it also appears in `#` comments of the generated files. */
export const ONE_LINE = /^[^\x00-\x1f\x7f]+$/;

/** A secret-name prefix flag, as the provider's `env` setting and that manager's names allow it. */
export const prefixSpec = (env: string, valid: RegExp, allowed: string): FlagText => ({
  value: "<prefix>", help: `the provider's ${env}, prepended to short names`, valid, expected: `a secret-name prefix (${allowed})`, example: "team-a-",
});

// Flags two targets share, so one value configures both the same way.
export const VAULT_MOUNT: FlagText = {
  value: "<mount>", help: "the provider's VAULT_MOUNT: KV mount of refs without ?mount= (default secret)", valid: ONE_LINE, expected: "a KV mount path such as secret or kv/team-a", example: "kv/team-a",
};
export const AWS_SECRET_PREFIX = prefixSpec("AWS_SECRET_PREFIX", /^[\w/+=.@-]+$/, "letters, digits and /_+=.@-");
export const NAMESPACE = {
  value: "<namespace>", valid: DNS_LABEL, expected: "a namespace (lower-case letters, digits and -, at most 63)", example: "prod",
} as const;

/** As a POSIX shell reads it back, for the regenerate command in the header. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
