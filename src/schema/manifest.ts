import type { FieldSpec, SourceKind } from "./define.ts";

/** The static, value-free description of each field that the codegen writes into generated/. */
export interface ManifestField {
  readonly sensitive: boolean;
  readonly description?: string;
  readonly from: readonly string[];
  readonly files: readonly string[];
  readonly env: string;
  readonly fileEnv?: string;
  readonly devDefault: boolean;
  /** A missing value is accepted in every mode (zod accepts undefined, or `optional: true`). */
  readonly optional: boolean;
  /** A missing value is accepted outside production only; present only when true. */
  readonly devOptional?: true;
  readonly productionSources: readonly SourceKind[];
}

export type Manifest = Readonly<Record<string, ManifestField>>;

export function toManifest(fields: readonly FieldSpec[]): Manifest {
  return Object.fromEntries(fields.map((field) => [field.name, manifestField(field)]));
}

function manifestField(field: FieldSpec): ManifestField {
  return {
    sensitive: field.sensitive,
    ...(field.description !== undefined ? { description: field.description } : {}),
    from: field.from.map((ref) => ref.raw),
    files: field.files,
    env: field.env,
    ...(field.sensitive ? { fileEnv: field.fileEnv } : {}),
    devDefault: field.devDefault !== undefined,
    optional: field.optional,
    ...(field.devOptional && !field.optional ? { devOptional: true as const } : {}),
    productionSources: field.productionSources,
  };
}

/** Human-readable chain for one field, e.g. for doc comments: "vault://a#b → file DB → DB_FILE → env DB (or .env) → dev default". */
export function describeChain(field: ManifestField): string {
  const chain = field.sensitive
    ? [...field.from, `file ${field.files.join(" | ")} (Kubernetes, Docker)`, `${field.fileEnv}`, `env ${field.env} (or .env)`]
    : [`env ${field.env} (or .env)`];
  if (field.devDefault) chain.push("dev default");
  if (field.devOptional) chain.push("unset outside production (required in production)");
  return chain.join(" → ");
}
