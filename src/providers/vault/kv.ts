/**
 * Secrets by path: which mount and path a ref names, the API path for KV v1 or v2 or another
 * engine (read as it is, e.g. database/creds/<role>), reading one path, and picking a `#key` out
 * of the answer.
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

/** How a mount is read: KV v1, KV v2, or "other" (any other engine: a plain read of `<mount>/<path>`). */
export type MountKind = 1 | 2 | "other";

/** A lease Vault granted with a read (dynamic secrets). Its id is a credential: never put it in a message. */
export interface LeaseGrant {
  readonly id: string;
  readonly renewable: boolean;
}

export type ReadResult =
  | { readonly kind: "found"; readonly data: Record<string, unknown>; readonly version?: string; readonly ttlSeconds?: number; readonly lease?: LeaseGrant }
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
export function apiPath(target: Omit<Target, "refs">, kind: MountKind): string {
  return kind === 2 ? `${target.mount}/data/${target.path}` : `${target.mount}/${target.path}`;
}

/** Engine types read as KV ("generic" is KV v1's old name). */
const KV_TYPES = new Set(["kv", "generic"]);

/**
 * How a mount is read, from `sys/internal/ui/mounts/<mount>` (what the Vault CLI asks).
 * `kind` is undefined when Vault will not say (403 without a policy for it, 404 on old servers),
 * so the caller falls back to configuration.
 */
export async function detectMount(client: NodeVault.client, mount: string, signal: AbortSignal): Promise<{ kind?: MountKind; path?: string }> {
  try {
    const answer = (await call(() => client.read(`sys/internal/ui/mounts/${encodePath(mount)}`), signal)) as {
      data?: { options?: { version?: unknown } | null; path?: unknown; type?: unknown };
    };
    if (typeof answer !== "object" || answer === null) throw new VaultFailure(undefined, "MALFORMED");
    const data = answer.data;
    const path = typeof data?.path === "string" ? { path: trimSlashes(data.path) } : {};
    if (typeof data?.type === "string" && !KV_TYPES.has(data.type)) return { kind: "other", ...path };
    // Vault's CLI treats a KV mount without options.version as v1.
    return { kind: String(data?.options?.version ?? "1") === "2" ? 2 : 1, ...path };
  } catch (error) {
    if (error instanceof VaultFailure && (error.status === 403 || error.status === 404 || error.status === 400)) return {};
    throw error;
  }
}

interface KvAnswer {
  readonly lease_id?: unknown;
  readonly lease_duration?: unknown;
  readonly renewable?: unknown;
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
export async function readTarget(client: NodeVault.client, target: Omit<Target, "refs">, kind: MountKind, signal: AbortSignal): Promise<ReadResult> {
  const path = apiPath(target, kind);
  const where = target.version && kind === 2 ? `${path}?version=${target.version}` : path;
  let raw: unknown;
  try {
    raw = await call(() => client.read(`${encodePath(path)}${target.version && kind === 2 ? `?version=${target.version}` : ""}`), signal);
  } catch (error) {
    if (error instanceof VaultFailure && error.status === 404) return { kind: "missing", reason: whyMissing(where, error.body as KvAnswer) };
    throw error;
  }
  if (!isRecord(raw)) throw new VaultFailure(undefined, "MALFORMED");
  const answer = raw as KvAnswer;
  if (kind !== 2) {
    // KV v1 and other engines answer with the secret as `data`; KV v1's lease_duration is only a
    // refresh hint, while a dynamic secret (database/creds/<role>) comes with a lease to keep.
    const data = answer.data;
    if (!isRecord(data)) throw new VaultFailure(undefined, "MALFORMED");
    const ttl = Number(answer.lease_duration ?? 0);
    const lease = typeof answer.lease_id === "string" && answer.lease_id ? { lease: { id: answer.lease_id, renewable: answer.renewable === true } } : {};
    return { kind: "found", data, ...(ttl > 0 ? { ttlSeconds: ttl } : {}), ...lease };
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
  if (!Object.hasOwn(result.data, key)) return { status: "error", kind: "invalid", message: `${ref.raw}: the secret at ${where} has no key "${key}"; ${listed}`, missingKey: true };
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
