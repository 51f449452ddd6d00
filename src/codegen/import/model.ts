/** What `secrets-gen import` learns from a t3-env or envalid file, before it is written as a schema. */

export type SourceLibrary = "t3-env" | "envalid";

/** The options a converted field carries; the agreed secret()/config() option names. */
export interface ImportedOptions {
  /** The variable the value is read from, when it is not the field's name. */
  readonly env?: string;
  readonly description?: string;
  /** Only secret() takes it: a raw value for development, never used in production. */
  readonly devDefault?: string;
  /** Required in production, `undefined` elsewhere when missing. */
  readonly devOptional?: boolean;
}

export interface ImportedField {
  readonly name: string;
  /** The zod expression, as source text. */
  readonly zod: string;
  readonly options: ImportedOptions;
  /** Why the name looks sensitive; set means the field is written as secret(...). */
  readonly secretReason?: string;
  /** What could not be converted faithfully, one sentence each; written as TODO comments above the field. */
  readonly todos: readonly string[];
  /** The field's own comments in the input, kept above it. */
  readonly comments: readonly string[];
}

export interface ImportedSchema {
  readonly library: SourceLibrary;
  /** The zod import line the schema needs. */
  readonly zodImport: string;
  /** Declarations placed before defineSecrets, e.g. a helper several fields use. */
  readonly helpers: readonly string[];
  readonly fields: readonly ImportedField[];
  /** What the input declares that is not converted, one sentence each; TODO comments at the top. */
  readonly notConverted: readonly string[];
  /** Things the user should know that need no change, one sentence each. */
  readonly notes: readonly string[];
}

/** The tag every comment about unconverted input carries, so `grep` finds them all. */
export const TODO_TAG = "TODO(secrets-gen import):";
