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

export async function writeKv2(w: WriteCall, value: string): Promise<WriteResult> {
  const path = apiPath(w.target, 2);
  let current: ReadResult;
  try {
    current = await w.retryRead(() => readTarget(w.client, w.target, 2, w.signal));
  } catch (error) {
    throw failureError(w, toFailure(error), "read");
  }
  const data = current.kind === "found" ? current.data : {};
  const cas = current.kind === "found" ? Number(current.version ?? 0) : 0;
  const key = w.ref.key ?? onlyKey(w.ref, path, data);
  let answer: unknown;
  try {
    answer = await call(() => w.client.write(encodePath(path), { data: { ...data, [key]: value }, options: { cas } }), w.signal);
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

/** One value-free sentence for a failed read or write of the secret being written. */
function failureError(w: WriteCall, failure: VaultFailure, step: "read" | "write"): ProviderWriteError {
  const path = apiPath(w.target, 2);
  const where = `"${path}"${w.namespace ? ` in namespace "${w.namespace}"` : ""}`;
  const capabilities = step === "read" ? `["read"]` : `["create", "update"]`;
  if (failure.status === 403 || failure.status === 401) {
    return new ProviderWriteError("denied", `Vault denied ${step === "read" ? "reading" : "writing"} ${where} for ${w.ref.raw} (HTTP ${failure.status}): the token's policy needs path "${path}" { capabilities = ${capabilities} }`);
  }
  if (isCasMismatch(failure)) {
    return new ProviderWriteError("conflict", `${w.ref.raw}: ${where} changed (or its latest version was deleted) between reading and writing it, so check-and-set refused the write; run the command again`);
  }
  if (failure.transient || failure.code === "ABORTED" || (failure.status === undefined && failure.code !== "MALFORMED")) {
    return new ProviderWriteError("unavailable", `${w.ref.raw}: ${step === "read" ? "reading" : "writing"} ${where} failed: ${describeFailure(failure, w.address)}`);
  }
  const detail = failure.code === "MALFORMED" ? "an answer that is not Vault JSON" : `HTTP ${failure.status}`;
  return new ProviderWriteError("invalid", `${w.ref.raw}: Vault answered ${step === "read" ? "reading" : "writing"} ${where} with ${detail}; check the ref's mount and path`);
}
