/**
 * Writing one Secret Manager secret: AddSecretVersion, or CreateSecret (automatic replication) and
 * then AddSecretVersion when the secret does not exist. A `#key` ref reads the latest version and
 * adds it back with that key changed. AddSecretVersion has no compare-and-set (no etag or expected
 * version), so a version someone else adds between that read and our write is superseded without
 * its change to the other keys: last writer wins. AddSecretVersion is sent once (a resend after a
 * lost answer would add a second version); CreateSecret is retried, as ALREADY_EXISTS is fine.
 */
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { requestOptions, retry } from "../../runtime/policy.ts";
import { latestForKeyWrite, withJsonKey } from "../json-key.ts";
import { ProviderWriteError, type Outcome, type ResolveContext, type SecretRef, type WriteResult } from "../types.ts";
import { crc32c } from "./crc32c.ts";
import { classify, isTransient } from "./errors.ts";
import type { GcpTarget } from "./refs.ts";

export interface GcpWrite {
  readonly client: SecretManagerServiceClient;
  readonly ref: SecretRef;
  readonly target: GcpTarget;
  /** The ref's project, else the configured or detected one. */
  readonly project: string | undefined;
  readonly ctx: ResolveContext;
  /** The provider's read of one version resource name (its retries, time-outs and CRC32C check). */
  readonly read: (name: string) => Promise<{ readonly ok: true; readonly value: string | Uint8Array } | { readonly ok: false; readonly outcome: Outcome }>;
}

type Call = "AddSecretVersion" | "CreateSecret";

export async function writeSecret(w: GcpWrite, value: string): Promise<WriteResult> {
  if (w.target.version !== "latest") {
    throw new ProviderWriteError("invalid", `${w.ref.raw} pins version ${w.target.version}: a write always adds a new version, so drop the version from the ref`);
  }
  if (w.project === undefined) {
    throw new ProviderWriteError("invalid", `${w.ref.raw} has no project: set GCP_PROJECT_ID (or the projectId option), or use the form gcp-sm://projects/<project>/secrets/<name>`);
  }
  const secret = `projects/${w.project}/secrets/${w.target.secret}`;
  const text = w.ref.key === undefined ? value : withJsonKey(w.ref, w.ref.key, await latest(w, w.ref.key, secret), value);
  const data = Buffer.from(text, "utf8");
  // The service checks the payload against its CRC32C, so a corrupted upload is refused rather than stored.
  const addVersion = () => send(w, () => w.client.addSecretVersion({ parent: secret, payload: { data, dataCrc32c: crc32c(data) } }), false);
  try {
    return versionOf(await addVersion());
  } catch (error) {
    if (classify(error, secret, 1).kind !== "missing") throw writeError(w, error, "AddSecretVersion", secret);
  }
  try {
    await send(w, () => w.client.createSecret({ parent: `projects/${w.project}`, secretId: w.target.secret, secret: { replication: { automatic: {} } } }), true);
  } catch (error) {
    if (!alreadyExists(error)) throw writeError(w, error, "CreateSecret", secret);
  }
  try {
    return versionOf(await addVersion());
  } catch (error) {
    throw writeError(w, error, "AddSecretVersion", secret);
  }
}

/** The latest value a `#key` is merged into; null when the secret does not exist or has no versions. */
async function latest(w: GcpWrite, key: string, secret: string): Promise<string | Uint8Array | null> {
  const read = await w.read(`${secret}/versions/latest`);
  return latestForKeyWrite(w.ref, read.ok ? { status: "found", value: read.value } : read.outcome, (reason) =>
    `${w.ref.raw} writes the key "${key}", but the latest version of ${secret} is unreadable (${reason || "no payload"}), so its other keys cannot be kept: enable it, or drop "#${key}" to write the whole value`,
  );
}

/** One SDK call under the runtime's per-request time-out, given up when the attempt's signal aborts (gax never retries these non-idempotent methods). */
function send<T>(w: GcpWrite, call: () => Promise<[T, ...unknown[]]>, retryable: boolean): Promise<T> {
  return retry(
    (signal) =>
      new Promise<T>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const stop = (): void => reject(signal.reason);
        signal.addEventListener("abort", stop, { once: true });
        call().then(([answer]) => resolve(answer), reject).finally(() => signal.removeEventListener("abort", stop));
      }),
    { ...requestOptions(w.ctx, retryable ? {} : { attempts: 1 }), isRetryable: isTransient },
  );
}

/** ALREADY_EXISTS: gRPC status 6, or HTTP 409 over REST. */
function alreadyExists(error: unknown): boolean {
  const e = error as { code?: unknown; status?: unknown } | undefined;
  return e?.code === 6 || e?.status === 409;
}

const versionOf = (version: { name?: string | null }): WriteResult => {
  const number = version.name?.split("/").pop();
  return number ? { version: number } : {};
};

/** One value-free sentence for a failed write call. */
function writeError(w: GcpWrite, error: unknown, call: Call, secret: string): ProviderWriteError {
  const { kind } = classify(error, secret, 1);
  if (w.ctx.signal.aborted || kind === "unavailable") {
    return new ProviderWriteError("unavailable", `${w.ref.raw}: Secret Manager did not complete ${call} on ${secret} (unreachable, unavailable or out of time), and an AddSecretVersion may still have landed: check the secret's latest version, then run the command again`);
  }
  if (kind === "denied") {
    return new ProviderWriteError("denied", `${w.ref.raw}: Secret Manager denied ${call} on ${secret}: grant the caller roles/secretmanager.secretVersionAdder on the secret (and secretmanager.secrets.create on the project to create it), and check its credentials`);
  }
  return new ProviderWriteError("invalid", `${w.ref.raw}: Secret Manager rejected ${call} on ${secret}: check the ref's project and secret name`);
}
