/**
 * Writing one Key Vault secret: setSecret (PUT), which adds a new version and creates the secret
 * when there is none. A `#key` ref reads the latest version and sets it back with that key changed.
 * Key Vault has no compare-and-set on a secret's value, so a version someone else sets between that
 * read and our write is superseded: last writer wins. The PUT is sent once (a resend adds a version).
 */
import { requestOptions, retry } from "../../runtime/policy.ts";
import { latestForKeyWrite, withJsonKey } from "../json-key.ts";
import { ProviderWriteError, type Outcome, type ResolveContext, type SecretRef, type WriteResult } from "../types.ts";
import { describe, outcomeOfError } from "./outcome.ts";
import { RefError, targetOf, type SecretTarget, type TargetConfig } from "./refs.ts";

/** What a write needs of @azure/keyvault-secrets' SecretClient. */
export interface SecretSetter {
  setSecret(name: string, value: string, options: { abortSignal: AbortSignal }): Promise<{ readonly properties: { readonly version?: string } }>;
}

export interface AzureWrite {
  readonly client: SecretSetter;
  readonly ref: SecretRef;
  readonly target: SecretTarget;
  readonly ctx: ResolveContext;
  /** Which credential, for messages (env variable names only). */
  readonly credential: string;
  /** The provider's read of the target's latest version (its retries and time-outs). */
  readonly read: () => Promise<Outcome>;
}

/** Where the ref writes to; a malformed or version-pinned ref is refused. */
export function writeTarget(ref: SecretRef, config: TargetConfig | RefError): SecretTarget {
  let target: SecretTarget;
  try {
    if (config instanceof RefError) throw config;
    target = targetOf(ref, config);
  } catch (error) {
    throw error instanceof RefError ? new ProviderWriteError("invalid", error.message) : error;
  }
  if (target.version !== undefined) {
    throw new ProviderWriteError("invalid", `${ref.raw} pins version ${target.version}: a write always adds a new version, so drop the version from the ref`);
  }
  return target;
}

export async function writeSecret(w: AzureWrite, value: string): Promise<WriteResult> {
  const text = w.ref.key === undefined ? value : withJsonKey(w.ref, w.ref.key, await latest(w, w.ref.key), value);
  try {
    const secret = await retry((signal) => w.client.setSecret(w.target.name, text, { abortSignal: signal }), {
      ...requestOptions(w.ctx, { attempts: 1 }),
      isRetryable: () => false,
    });
    return secret.properties.version ? { version: secret.properties.version } : {};
  } catch (error) {
    throw writeError(w, error);
  }
}

/** The latest value a `#key` is merged into; null when the secret does not exist. */
async function latest(w: AzureWrite, key: string): Promise<string | Uint8Array | null> {
  return latestForKeyWrite(w.ref, await w.read(), (reason) =>
    `${w.ref.raw} writes the key "${key}", but the latest version is unusable (${reason ?? "unreadable"}), so its other keys cannot be kept: enable or renew it, or drop "#${key}" to write the whole value`,
  );
}

/** One value-free sentence for a failed PUT: a refusal names the role that may set secrets. */
function writeError(w: AzureWrite, error: unknown): ProviderWriteError {
  const { name, statusCode } = (error ?? {}) as { name?: string; statusCode?: number };
  const which = describe(w.target);
  if (name === "RestError" && statusCode === 403) {
    return new ProviderWriteError("denied", `${w.ref.raw}: the vault refused to set ${which} (403); grant the identity the "Key Vault Secrets Officer" role (or a set-secrets access policy)`);
  }
  if (name === "RestError" && statusCode === 409) {
    return new ProviderWriteError("invalid", `${w.ref.raw}: the vault answered 409 Conflict setting ${which}, which happens when it is deleted but recoverable: recover or purge it, then run the command again`);
  }
  const outcome = outcomeOfError(error, w.target, w.ctx.signal.aborted, w.credential);
  if (outcome.status === "error") return new ProviderWriteError(outcome.kind, `${w.ref.raw}: setting a new version failed: ${outcome.message}`);
  return new ProviderWriteError("invalid", `${w.ref.raw}: setting a new version of ${which} failed; check the vault URL and the secret name`);
}
