/**
 * Turning what node-vault throws into value-free facts. node-vault rejects with an
 * ApiResponseError (`response.statusCode`, `response.body`) for HTTP answers, or with an axios
 * error (whose `config.headers` carry the token) for network trouble, so nothing it throws is
 * passed on: messages are built from the status or error code only.
 */

import { AsyncLocalStorage } from "node:async_hooks";

/** A failed Vault call reduced to safe facts. `body` is kept only to read KV v2 deletion metadata. */
export class VaultFailure extends Error {
  override name = "VaultFailure";
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly body: unknown = undefined,
  ) {
    super(status !== undefined ? `HTTP ${status}` : (code ?? "request failed"));
  }

  /** Worth retrying: throttled, 5xx (sealed, standby, overloaded) or a network blip. */
  get transient(): boolean {
    if (this.code === "ABORTED") return false;
    if (this.status !== undefined) return this.status === 412 || this.status === 429 || this.status >= 500;
    return this.code !== undefined && TRANSIENT_CODES.has(this.code);
  }

  get sealed(): boolean {
    const errors = (this.body as { errors?: unknown } | undefined)?.errors;
    return this.status === 503 && Array.isArray(errors) && errors.some((e) => typeof e === "string" && /sealed/i.test(e));
  }
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

export function toFailure(error: unknown): VaultFailure {
  if (error instanceof VaultFailure) return error;
  const response = (error as { response?: { statusCode?: unknown; body?: unknown } } | undefined)?.response;
  if (response && typeof response.statusCode === "number") return new VaultFailure(response.statusCode, undefined, response.body);
  const code = (error as { code?: unknown } | undefined)?.code;
  return new VaultFailure(undefined, typeof code === "string" ? code : "EUNKNOWN");
}

/** The signal of the node-vault call in progress: `call()` sets it, and the transport destroys its request when it aborts. */
export const callSignal = new AsyncLocalStorage<AbortSignal>();

/** Run a node-vault call, racing it against the deadline (node-vault 0.12 cannot take an AbortSignal). */
export async function call<T>(run: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw new VaultFailure(undefined, "ABORTED");
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new VaultFailure(undefined, "ABORTED"));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    // The transport reads the signal from here, so an abandoned call's request is destroyed too.
    return await Promise.race([callSignal.run(signal, run).catch((error: unknown) => Promise.reject(toFailure(error))), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

/** A short, value-free description of why a call failed, for "unavailable" messages. */
export function describeFailure(failure: VaultFailure, address: string): string {
  if (failure.code === "ABORTED") return "the start-up deadline passed before Vault answered";
  if (failure.sealed) return `Vault at ${address} is sealed (503); unseal it`;
  if (failure.status === 429) return `Vault at ${address} is rate-limiting requests (429)`;
  if (failure.status !== undefined) return `Vault at ${address} answered HTTP ${failure.status}`;
  if (failure.code === "MALFORMED") return `Vault at ${address} sent a response that is not Vault JSON`;
  if (failure.code === "REDIRECT") {
    return `Vault at ${address} answered with a redirect, which is not followed so that the token and login credentials never reach another server: set VAULT_ADDR to the address that serves the API itself`;
  }
  if (failure.code === "TOO_LARGE") return `Vault at ${address} sent an answer over the size limit, so reading it was stopped: check the path, or raise maxAnswerBytes if the secret really is that large`;
  if (failure.code === "NOT_UTF8") return `Vault at ${address} sent an answer that is not UTF-8 text: check what serves VAULT_ADDR`;
  if (failure.code === "ECONNABORTED" || failure.code === "ETIMEDOUT") return `Vault at ${address} did not answer in time (${failure.code})`;
  if (failure.code && /CERT|SSL|TLS|SELF_SIGNED|VERIFY/.test(failure.code)) {
    return `TLS verification of ${address} failed (${failure.code}); set VAULT_CACERT to the CA that signed the server certificate`;
  }
  return `could not reach Vault at ${address} (${failure.code})`;
}

/** The address without any user:password part, for messages. */
export function safeAddress(address: string): string {
  try {
    const url = new URL(address);
    return `${url.protocol}//${url.host}`;
  } catch {
    return "the configured VAULT_ADDR";
  }
}
