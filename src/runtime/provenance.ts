import type { SourceKind } from "../schema/define.ts";
import { ConfigError } from "./errors.ts";
import { renderTable } from "./table.ts";

/**
 * A source of the chain; "schema" when no source had a value and zod's default or catch supplied
 * one; "unset" when no source had a value and the field is optional, so it is undefined.
 */
export type ProvenanceSource = SourceKind | "schema" | "unset";

/** Where a loaded value came from, without the value. */
export interface Provenance {
  readonly field: string;
  readonly sensitive: boolean;
  readonly source: ProvenanceSource;
  /** The ref, file path or variable name. */
  readonly where: string;
  readonly version?: string;
  /** How long the source said the value stays good (a Vault lease, an expiry), in seconds from loadedAt. */
  readonly ttlSeconds?: number;
  readonly loadedAt: Date;
}

const provenanceByObject = new WeakMap<object, ReadonlyMap<string, Provenance>>();

export function attachProvenance(secrets: object, entries: ReadonlyMap<string, Provenance>): void {
  provenanceByObject.set(secrets, entries);
}

/** Where `field` of a loaded secrets object came from. */
export function provenance(secrets: object, field: string): Provenance {
  const entry = entriesOf(secrets).get(field);
  if (!entry) throw new ConfigError(`provenance(): there is no field "${field}" in this secrets object: use one of its keys`);
  return entry;
}

/** A table of every field's source, for logs and `--explain`; never shows a value. */
export function explain(secrets: object): string {
  const rows = [...entriesOf(secrets).values()].map((entry) => [
    entry.field, entry.sensitive ? "secret" : "config", entry.source, entry.where, entry.version ?? "",
  ]);
  return renderTable(["field", "kind", "source", "where", "version"], rows);
}

function entriesOf(secrets: object): ReadonlyMap<string, Provenance> {
  const entries = provenanceByObject.get(secrets);
  if (!entries) throw new ConfigError("provenance() and explain() take the object returned by loadSecrets(): pass that object");
  return entries;
}
