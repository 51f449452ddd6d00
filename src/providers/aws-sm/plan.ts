/** Turns aws-sm refs into the distinct secret reads they need: one read per (secret, version), many refs each. */
import type { Outcome, SecretRef } from "../types.ts";

const PARAMS = new Set(["versionStage", "versionId"]);

/** One read: a secret id (name or ARN) at the current version, or at an explicit stage / version id. */
export interface SecretRead {
  readonly id: string;
  readonly versionStage?: string;
  readonly versionId?: string;
  readonly refs: SecretRef[];
}

/** The reads sent to one region. */
export interface RegionReads {
  /** Reads of the AWSCURRENT version, which BatchGetSecretValue can serve; keyed by secret id. */
  readonly current: Map<string, SecretRead>;
  /** Reads of an explicit stage or version id, which need GetSecretValue each. */
  readonly pinned: SecretRead[];
}

export interface Plan {
  /** Reads by region: an ARN's own region, or "" for the configured one (bare names). */
  readonly regions: Map<string, RegionReads>;
  /** Refs rejected before any call. */
  readonly rejected: Map<string, Outcome>;
}

/** `AWS_SECRET_PREFIX` applies to bare names only: an ARN already names one secret exactly. */
export function secretIdOf(ref: SecretRef, prefix: string): string {
  return ref.path.startsWith("arn:") ? ref.path : prefix + ref.path;
}

/** A secret lives in one region, so an ARN is read from the region it names ("" = the configured region). */
export function regionOf(id: string, home: string): string {
  const region = id.startsWith("arn:") ? (id.split(":")[3] ?? "") : "";
  return region === home ? "" : region;
}

export function planReads(refs: readonly SecretRef[], prefix: string, home: string): Plan {
  const regions = new Map<string, RegionReads>();
  const pinnedByKey = new Map<string, SecretRead>();
  const rejected = new Map<string, Outcome>();
  for (const ref of refs) {
    const unknown = Object.keys(ref.params).find((name) => !PARAMS.has(name));
    if (unknown !== undefined) {
      rejected.set(ref.raw, {
        status: "error",
        kind: "invalid",
        message: `aws-sm ref "${ref.raw}" has the unknown parameter "${unknown}": use versionStage or versionId`,
      });
      continue;
    }
    const id = secretIdOf(ref, prefix);
    const { versionStage, versionId } = ref.params;
    const region = regionOf(id, home);
    const group = regions.get(region) ?? { current: new Map<string, SecretRead>(), pinned: [] };
    regions.set(region, group);
    if (versionStage === undefined && versionId === undefined) {
      const read = group.current.get(id) ?? { id, refs: [] };
      read.refs.push(ref);
      group.current.set(id, read);
      continue;
    }
    const key = JSON.stringify([id, versionStage ?? null, versionId ?? null]);
    const read = pinnedByKey.get(key) ?? {
      id,
      refs: [],
      ...(versionStage !== undefined ? { versionStage } : {}),
      ...(versionId !== undefined ? { versionId } : {}),
    };
    if (read.refs.length === 0) group.pinned.push(read);
    read.refs.push(ref);
    pinnedByKey.set(key, read);
  }
  return { regions, rejected };
}
