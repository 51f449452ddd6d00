/**
 * KV secrets: which mount and path a ref names, the API path for KV v1 or v2, reading one
 * path, and picking a `#key` out of the answer.
 */
import type NodeVault from "node-vault";
import type { Outcome, SecretRef } from "../types.ts";
import { trimSlashes } from "./config.ts";
import { call, VaultFailure } from "./errors.ts";

/** One distinct read: every ref naming the same mount, path and version shares it. */
export interface Target {
  readonly mount: string;
  readonly path: string;
  readonly version?: number;
  readonly refs: SecretRef[];
}

export type ReadResult =
  | { readonly kind: "found"; readonly data: Record<string, unknown>; readonly version?: string; readonly ttlSeconds?: number }
  | { readonly kind: "missing"; readonly reason: string };

const PARAMS = new Set(["mount", "version"]);

/** The mount, path and version a ref names, or a message saying why it is not a usable Vault ref. */
export function parseTarget(ref: SecretRef, defaultMount: string): Omit<Target, "refs"> | string {
  const unknown = Object.keys(ref.params).filter((name) => !PARAMS.has(name));
  if (unknown.length) return `ref ${ref.raw} has unknown parameter(s) ${unknown.join(", ")}: only ?mount= and ?version= are understood`;
  const mount = trimSlashes(ref.params.mount ?? defaultMount);
  const path = trimSlashes(ref.path);
  if (!mount || !path) return `ref ${ref.raw} names no secret path: write vault://<path>#<key>`;
  if (path.split("/").some((segment) => segment === "." || segment === "..")) return `ref ${ref.raw} has a "." or ".." path segment`;
  const version = ref.params.version;
  if (version === undefined) return { mount, path };
  if (!/^[1-9]\d*$/.test(version)) return `ref ${ref.raw} has version "${version}": use a positive whole number`;
  return { mount, path, version: Number(version) };
}

export const encodePath = (path: string): string => path.split("/").map(encodeURIComponent).join("/");

/** The namespace-relative API path (and so the ACL policy path) of a read. */
export function apiPath(target: Omit<Target, "refs">, kvVersion: 1 | 2): string {
  return kvVersion === 2 ? `${target.mount}/data/${target.path}` : `${target.mount}/${target.path}`;
}

/**
 * The KV version of a mount, from `sys/internal/ui/mounts/<mount>` (what the Vault CLI asks).
 * `undefined` when Vault will not say (403 without a policy for it, 404 on old servers), so the
 * caller falls back to configuration.
 */
export async function detectKvVersion(client: NodeVault.client, mount: string, signal: AbortSignal): Promise<{ version?: 1 | 2; path?: string }> {
  try {
    const answer = (await call(() => client.read(`sys/internal/ui/mounts/${encodePath(mount)}`), signal)) as {
      data?: { options?: { version?: unknown } | null; path?: unknown; type?: unknown };
    };
    if (typeof answer !== "object" || answer === null) throw new VaultFailure(undefined, "MALFORMED");
    const data = answer.data;
    // Vault's CLI treats a KV mount without options.version as v1.
    const version = String(data?.options?.version ?? "1") === "2" ? 2 : 1;
    return { version, ...(typeof data?.path === "string" ? { path: trimSlashes(data.path) } : {}) };
  } catch (error) {
    if (error instanceof VaultFailure && (error.status === 403 || error.status === 404 || error.status === 400)) return {};
    throw error;
  }
}

interface KvAnswer {
  readonly lease_duration?: unknown;
  readonly data?: { readonly data?: unknown; readonly metadata?: { readonly version?: unknown; readonly deletion_time?: unknown; readonly destroyed?: unknown } } | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Why a KV v2 answer holds no data: deleted or destroyed version, or nothing there. */
function whyMissing(where: string, answer: KvAnswer | undefined): string {
  const metadata = answer?.data?.metadata;
  const version = metadata?.version !== undefined ? `version ${String(metadata.version)} of ${where}` : where;
  if (metadata?.destroyed === true) return `${version} was destroyed`;
  if (typeof metadata?.deletion_time === "string" && metadata.deletion_time) return `${version} was deleted`;
  return `no secret at ${where}`;
}

/** Read one path; HTTP 404 (nothing there, deleted, destroyed) is `missing`, other failures throw a VaultFailure. */
export async function readTarget(client: NodeVault.client, target: Omit<Target, "refs">, kvVersion: 1 | 2, signal: AbortSignal): Promise<ReadResult> {
  const path = apiPath(target, kvVersion);
  const where = target.version && kvVersion === 2 ? `${path}?version=${target.version}` : path;
  let raw: unknown;
  try {
    raw = await call(() => client.read(`${encodePath(path)}${target.version && kvVersion === 2 ? `?version=${target.version}` : ""}`), signal);
  } catch (error) {
    if (error instanceof VaultFailure && error.status === 404) return { kind: "missing", reason: whyMissing(where, error.body as KvAnswer) };
    throw error;
  }
  if (!isRecord(raw)) throw new VaultFailure(undefined, "MALFORMED");
  const answer = raw as KvAnswer;
  if (kvVersion === 1) {
    const data = answer.data;
    if (!isRecord(data)) throw new VaultFailure(undefined, "MALFORMED");
    const lease = Number(answer.lease_duration ?? 0);
    return { kind: "found", data, ...(lease > 0 ? { ttlSeconds: lease } : {}) };
  }
  const data = answer.data?.data;
  if (data === null || data === undefined) return { kind: "missing", reason: whyMissing(where, answer) }; // older servers answered 200 for deleted versions
  if (!isRecord(data)) throw new VaultFailure(undefined, "MALFORMED");
  const version = answer.data?.metadata?.version;
  return { kind: "found", data, ...(version !== undefined ? { version: String(version) } : {}) };
}

/** The ref's `#key` from a secret's data; without a key, the only key of a single-key secret. */
export function pick(ref: SecretRef, where: string, result: Extract<ReadResult, { kind: "found" }>): Outcome {
  const keys = Object.keys(result.data);
  const invalid = (message: string): Outcome => ({ status: "error", kind: "invalid", message });
  const listed = keys.length ? `it has ${keys.map((k) => JSON.stringify(k)).join(", ")}` : "it has no keys";
  let key = ref.key;
  if (key === undefined) {
    if (keys.length !== 1) return invalid(`${ref.raw}: the secret at ${where} has ${keys.length} keys, so the ref needs a #key; ${listed}`);
    key = keys[0]!;
  }
  if (!Object.hasOwn(result.data, key)) return invalid(`${ref.raw}: the secret at ${where} has no key "${key}"; ${listed}`);
  const raw = result.data[key];
  if (raw === null || raw === undefined) return invalid(`${ref.raw}: the key "${key}" of ${where} is null`);
  const value = typeof raw === "string" ? raw : JSON.stringify(raw);
  return {
    status: "found",
    value,
    ...(result.version !== undefined ? { version: result.version } : {}),
    ...(result.ttlSeconds !== undefined ? { ttlSeconds: result.ttlSeconds } : {}),
  };
}
