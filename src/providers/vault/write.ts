/**
 * Writing one KV v2 secret: read the current data, change one key, and write it all back as a new
 * version with check-and-set (`options.cas` = the version read), so a concurrent change is never
 * overwritten silently. KV v1 has no versions or check-and-set, so it is refused before this.
 */
import type NodeVault from "node-vault";
import { ProviderWriteError, type SecretRef, type WriteResult } from "../types.ts";
import { call, describeFailure, toFailure, VaultFailure } from "./errors.ts";
import { apiPath, encodePath, readTarget, type ReadResult, type Target } from "./kv.ts";

/** The key a whole-value ref (no `#key`) writes: the only key of the secret, or `value` for a new one. */
const NEW_SECRET_KEY = "value";

export interface WriteCall {
  readonly client: NodeVault.client;
  readonly target: Omit<Target, "refs">;
  readonly ref: SecretRef;
  readonly signal: AbortSignal;
  /** Reads retry transient failures; the write itself is sent once (check-and-set makes a blind resend fail anyway). */
  readonly retryRead: <T>(read: () => Promise<T>) => Promise<T>;
  /** For messages: the server address without credentials, and the namespace if any. */
  readonly address: string;
  readonly namespace?: string | undefined;
}

/** The latest version of the secret, as a write or delete starts from it. */
export async function readLatest(w: WriteCall): Promise<ReadResult> {
  try {
    return await w.retryRead(() => readTarget(w.client, w.target, 2, w.signal));
  } catch (error) {
    throw failureError(w, toFailure(error), "read");
  }
}

export async function writeKv2(w: WriteCall, value: string): Promise<WriteResult> {
  const path = apiPath(w.target, 2);
  const current = await readLatest(w);
  const data = current.kind === "found" ? current.data : {};
  const cas = current.kind === "found" ? Number(current.version ?? 0) : 0;
  const key = w.ref.key ?? onlyKey(w.ref, path, data);
  return putVersion(w, { ...data, [key]: value }, cas);
}

/** Write `data` as the next version, accepted only while `cas` is still the latest version. */
export async function putVersion(w: WriteCall, data: Record<string, unknown>, cas: number): Promise<WriteResult> {
  let answer: unknown;
  try {
    answer = await call(() => w.client.write(encodePath(apiPath(w.target, 2)), { data, options: { cas } }), w.signal);
  } catch (error) {
    throw failureError(w, toFailure(error), "write");
  }
  const version = (answer as { data?: { version?: unknown } } | undefined)?.data?.version;
  return version === undefined ? {} : { version: String(version) };
}

function onlyKey(ref: SecretRef, path: string, data: Record<string, unknown>): string {
  const keys = Object.keys(data);
  if (keys.length === 0) return NEW_SECRET_KEY;
  if (keys.length === 1) return keys[0]!;
  throw new ProviderWriteError("invalid", `${ref.raw}: the secret at ${path} has ${keys.length} keys, so the ref needs a #key to say which one to write`);
}

const isCasMismatch = (failure: VaultFailure): boolean => {
  const errors = (failure.body as { errors?: unknown } | undefined)?.errors;
  return failure.status === 400 && Array.isArray(errors) && errors.some((e) => typeof e === "string" && /check-and-set/i.test(e));
};

/** The steps of a write or delete: the API path each uses and the policy capabilities it needs there. */
const STEPS = {
  read: { doing: "reading", capabilities: `["read"]` },
  write: { doing: "writing", capabilities: `["create", "update"]` },
  delete: { doing: "deleting", capabilities: `["update"]` },
} as const;

/** One value-free sentence for a failed step on the secret being written or deleted. */
export function failureError(w: WriteCall, failure: VaultFailure, step: keyof typeof STEPS): ProviderWriteError {
  const path = step === "delete" ? `${w.target.mount}/delete/${w.target.path}` : apiPath(w.target, 2);
  const { doing, capabilities } = STEPS[step];
  const where = `"${path}"${w.namespace ? ` in namespace "${w.namespace}"` : ""}`;
  if (failure.status === 403 || failure.status === 401) {
    return new ProviderWriteError("denied", `Vault denied ${doing} ${where} for ${w.ref.raw} (HTTP ${failure.status}): the token's policy needs path "${path}" { capabilities = ${capabilities} }`);
  }
  if (isCasMismatch(failure)) {
    return new ProviderWriteError("conflict", `${w.ref.raw}: ${where} changed (or its latest version was deleted) between reading and writing it, so check-and-set refused the write; run the command again`);
  }
  if (failure.transient || failure.code === "ABORTED" || (failure.status === undefined && failure.code !== "MALFORMED")) {
    return new ProviderWriteError("unavailable", `${w.ref.raw}: ${doing} ${where} failed: ${describeFailure(failure, w.address)}`);
  }
  const detail = failure.code === "MALFORMED" ? "an answer that is not Vault JSON" : `HTTP ${failure.status}`;
  return new ProviderWriteError("invalid", `${w.ref.raw}: Vault answered ${doing} ${where} with ${detail}; check the ref's mount and path`);
}
