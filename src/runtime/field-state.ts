import type { ProviderLoaders } from "../providers/types.ts";
import type { FieldSpec, SourceKind } from "../schema/define.ts";
import type { Attempt } from "./errors.ts";
import type { FieldParser } from "./plan-parser.ts";

/** A field as the loader sees it: the schema's spec, validated by zod or by a generated plan. */
export type LoaderField = Omit<FieldSpec, "validator"> & { readonly validator: FieldParser };

/** What the loader walks: a schema's fields (defineSecrets' result fits), and the providers its refs need. */
export interface LoadableSchema {
  readonly fields: readonly LoaderField[];
  /** Built-in providers by scheme, created on first use (see ProviderLoaders); LoadOptions.providers win over them. */
  readonly providerLoaders?: ProviderLoaders;
}

export interface Found {
  readonly value: string | Uint8Array;
  readonly source: SourceKind;
  readonly where: string;
  readonly version?: string;
  readonly ttlSeconds?: number;
}

/** One field's walk down the chain: what each source said, and where it ended. */
export class FieldState {
  readonly attempts: Attempt[] = [];
  found: Found | undefined;
  /** Value-free warnings, emitted (redacted) once every value of the load is known. */
  readonly warnings: string[] = [];
  /** Set when the chain must stop without a value (fail closed). One sentence, value-free. */
  failure: string | undefined;

  constructor(readonly spec: LoaderField) {}

  get settled(): boolean {
    return this.found !== undefined || this.failure !== undefined;
  }

  /** Whether production lets this field take a value from `source`. */
  accepts(source: SourceKind, production: boolean): boolean {
    return !production || this.spec.productionSources.includes(source);
  }

  record(attempt: Attempt): void {
    this.attempts.push(attempt);
  }
}
