/**
 * GCP Secret Manager (`gcp-sm://`) through @google-cloud/secret-manager (v6 on Node 20; v7 on 22+).
 * Each distinct secret version is read once per batch, with bounded concurrency; `#key`s fan out.
 * Retries and the per-request time-out follow the runtime's one policy (runtime/policy.ts); google-gax's are off per call.
 */
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { mapWithConcurrency, SharedAttempt } from "../runtime/async.ts";
import { DEFAULT_MAX_ANSWER_BYTES, requestOptions, retry } from "../runtime/policy.ts";
import { grpcAnswerCap, limitRestTransport } from "./gcp-sm/answer-cap.ts";
import { configuredProject, GcpConfigError, planClient, type GcpClientSettings } from "./gcp-sm/client.ts";
import { crc32c } from "./gcp-sm/crc32c.ts";
import { classify, CorruptPayloadError, isTransient } from "./gcp-sm/errors.ts";
import { parseGcpRef, versionName, type GcpTarget } from "./gcp-sm/refs.ts";
import { decodePayload, pickKey } from "./gcp-sm/value.ts";
import { writeSecret } from "./gcp-sm/write.ts";
import { importLib, MissingSdkError } from "./import-lib.ts";
import { ProviderWriteError, type Outcome, type ProviderFactory, type ResolveContext, type SecretRef } from "./types.ts";

export const PROVIDER_NAME = "gcp-sm";
/** A typical app's secrets in one wave: over gRPC they share one HTTP/2 connection. */
const DEFAULT_CONCURRENCY = 32;

export interface GcpSmOptions extends GcpClientSettings {
  /** Prepended to short-form names (`gcp-sm://db` → `<prefix>db`). Env GCP_SECRET_PREFIX; default none. */
  readonly secretPrefix?: string;
  /** Secret versions read at once (Secret Manager has no batch read), within LoadOptions.limits. Default 32. */
  readonly concurrency?: number;
  /** Attempts per version, the first included, for this provider only. Default LoadOptions.retry.attempts. */
  readonly attempts?: number;
  /** First back-off ceiling in ms for this provider only. Default LoadOptions.retry.baseDelayMs. */
  readonly baseDelayMs?: number;
  /** Give up one attempt after this many ms, for this provider only. Default LoadOptions.retry.requestTimeoutMs. */
  readonly attemptTimeoutMs?: number;
  /** Largest answer read; default LoadOptions.maxAnswerBytes (512 KiB). */
  readonly maxAnswerBytes?: number;
}

interface Connection {
  readonly client: SecretManagerServiceClient;
}

type Fetched = { readonly ok: true; readonly value: string | Uint8Array; readonly version: string } | { readonly ok: false; readonly outcome: Outcome };

interface AccessResponse {
  readonly name?: string | null;
  readonly payload?: { readonly data?: Uint8Array | null; readonly dataCrc32c?: { toString(): string } | null } | null;
}

/** A gax call: a promise with `cancel()` (the public method's promise has lost it). */
type CancellableCall = Promise<[AccessResponse, ...unknown[]]> & { cancel?: () => void };

const gcpSm: ProviderFactory<GcpSmOptions> = (options = {}) => {
  const connection = new SharedAttempt<Connection>();
  const connect = (ctx: ResolveContext): Promise<Connection> => connection.get(() => open(options, ctx));

  return {
    name: PROVIDER_NAME,
    schemes: ["gcp-sm"],
    async resolve(refs, ctx) {
      const outcomes = new Map<string, Outcome>();
      const prefix = options.secretPrefix ?? ctx.env.GCP_SECRET_PREFIX ?? "";
      const valid: { ref: SecretRef; target: GcpTarget }[] = [];
      for (const ref of refs) {
        const parsed = parseGcpRef(ref, prefix);
        if (parsed.ok) valid.push({ ref, target: parsed.target });
        else outcomes.set(ref.raw, { status: "error", kind: "invalid", message: parsed.message });
      }
      if (valid.length === 0) return outcomes;

      let client: SecretManagerServiceClient;
      try {
        ({ client } = await connect(ctx));
      } catch (error) {
        if (error instanceof MissingSdkError) throw error;
        const outcome = setupFailure(error);
        for (const { ref } of valid) outcomes.set(ref.raw, outcome);
        return outcomes;
      }
      const project = valid.some((v) => v.target.project === undefined) ? (configuredProject(options, ctx.env) ?? (await detectProject(client, ctx))) : undefined;
      const byName = new Map<string, SecretRef[]>();
      for (const { ref, target } of valid) {
        const owner = target.project ?? project;
        if (owner === undefined) {
          outcomes.set(ref.raw, {
            status: "error",
            kind: "invalid",
            message: `ref ${ref.raw} has no project: set GCP_PROJECT_ID (or the projectId option), or use the form gcp-sm://projects/<project>/secrets/<name>`,
          });
          continue;
        }
        const name = versionName(owner, target);
        byName.set(name, [...(byName.get(name) ?? []), ref]);
      }
      const names = [...byName.keys()];
      const fetched = await mapWithConcurrency(names, options.concurrency ?? DEFAULT_CONCURRENCY, (name) => fetchVersion(client, name, ctx, options));
      names.forEach((name, index) => {
        const result = fetched[index]!;
        for (const ref of byName.get(name)!) {
          outcomes.set(ref.raw, result.ok ? pickKey(result.value, ref.key, ref.raw, result.version) : result.outcome);
        }
      });
      return outcomes;
    },
    // A new version, created secret first if need be; no compare-and-set (see gcp-sm/write.ts).
    async write(ref, value, ctx) {
      const parsed = parseGcpRef(ref, options.secretPrefix ?? ctx.env.GCP_SECRET_PREFIX ?? "");
      if (!parsed.ok) throw new ProviderWriteError("invalid", parsed.message);
      const { client } = await connect(ctx).catch((error: unknown) => {
        if (error instanceof MissingSdkError) throw error;
        const failed = setupFailure(error);
        throw failed.status === "error" ? new ProviderWriteError(failed.kind, `${ref.raw}: ${failed.message}`) : error;
      });
      const project = parsed.target.project ?? configuredProject(options, ctx.env) ?? (await detectProject(client, ctx));
      return writeSecret({ client, ref, target: parsed.target, project, ctx, read: (name) => fetchVersion(client, name, ctx, options) }, value);
    },
    async close() {
      const ready = await connection.forget()?.catch(() => undefined);
      await ready?.client.close();
    },
  };
};

export default gcpSm;

async function open(options: GcpSmOptions, ctx: ResolveContext): Promise<Connection> {
  const plan = planClient(options, ctx.env);
  const sdk = await importLib(PROVIDER_NAME, "@google-cloud/secret-manager", () => import("@google-cloud/secret-manager"));
  if (plan.plainHttp) {
    ctx.warn(`${PROVIDER_NAME}: the endpoint ${plan.options.apiEndpoint}:${plan.options.port} is plain http, so credentials travel without TLS: use it only for a local test server`);
  }
  if (ctx.env.GOOGLE_SDK_NODE_LOGGING) {
    // The SDK's debug logging (google-logging-utils) prints HTTP response bodies, secret payloads included.
    ctx.warn(`${PROVIDER_NAME}: GOOGLE_SDK_NODE_LOGGING is set, so the Google SDK logs API responses, secret payloads included: unset it outside debugging`);
  }
  const maxAnswerBytes = options.maxAnswerBytes ?? ctx.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const client = new sdk.SecretManagerServiceClient({ ...plan.options, ...grpcAnswerCap(maxAnswerBytes) });
  // Builds the transport stub (and, for REST, loads credentials) so calls can be cancelled.
  await client.initialize();
  if (plan.options.fallback) await limitRestTransport(client, maxAnswerBytes);
  return { client };
}

/** One outcome for every ref when the client cannot even be set up (bad settings, unreadable or absent credentials). */
function setupFailure(error: unknown): Outcome {
  if (error instanceof GcpConfigError) return { status: "error", kind: "invalid", message: error.message };
  const code = String((error as { code?: unknown })?.code ?? "");
  if (/^E[A-Z]+$/.test(code) && (error as { syscall?: unknown }).syscall === "open") {
    return { status: "error", kind: "invalid", message: `the Google credentials file could not be read (${code}): check keyFilename or GOOGLE_APPLICATION_CREDENTIALS` };
  }
  const result = classify(error, "the Secret Manager client set-up", 1);
  if (result.kind === "missing") return { status: "error", kind: "invalid", message: "the Secret Manager client could not be set up: check the gcp-sm options" };
  return { status: "error", kind: result.kind, message: result.message };
}

/** The project for short refs when no option or env names one: the SDK's detection, bounded by the deadline. */
async function detectProject(client: SecretManagerServiceClient, ctx: ResolveContext): Promise<string | undefined> {
  const aborted = new Promise<undefined>((resolve) => ctx.signal.addEventListener("abort", () => resolve(undefined), { once: true }));
  try {
    return (await Promise.race([client.getProjectId(), aborted])) || undefined;
  } catch {
    return undefined;
  }
}

async function fetchVersion(client: SecretManagerServiceClient, name: string, ctx: ResolveContext, options: GcpSmOptions): Promise<Fetched> {
  let attempts = 0;
  const requests = requestOptions(ctx, { attempts: options.attempts, baseDelayMs: options.baseDelayMs, requestTimeoutMs: options.attemptTimeoutMs });
  try {
    const response = await retry(
      (signal, attempt) => {
        attempts = attempt;
        return access(client, name, signal, requests.policy.requestTimeoutMs);
      },
      { ...requests, isRetryable: isTransient },
    );
    return { ok: true, ...response };
  } catch (error) {
    if (ctx.signal.aborted) {
      const message = `no answer from Secret Manager for ${name} before the start-up deadline (${attempts} attempt(s)): check network access or raise the deadline`;
      return { ok: false, outcome: { status: "error", kind: "unavailable", message } };
    }
    const result = classify(error, name, attempts);
    return {
      ok: false,
      outcome: result.kind === "missing"
        ? { status: "missing", reason: result.reason, ...(result.absent ? { absent: true } : {}) }
        : { status: "error", kind: result.kind, message: result.message },
    };
  }
}

/** One AccessSecretVersion call, cancelled when `signal` aborts (its time-out or the deadline); payload checked against its CRC32C. */
async function access(client: SecretManagerServiceClient, name: string, signal: AbortSignal, timeoutMs: number) {
  if (signal.aborted) throw signal.reason;
  const response = await new Promise<AccessResponse>((resolve, reject) => {
    const call = start(client, name, timeoutMs);
    const finish = (): void => signal.removeEventListener("abort", stop);
    const stop = (): void => {
      call.cancel?.();
      reject(signal.reason);
    };
    call.then(
      ([answer]) => (finish(), resolve(answer)),
      (error: unknown) => (finish(), reject(error)),
    );
    signal.addEventListener("abort", stop, { once: true });
  });
  const data = response.payload?.data ?? new Uint8Array();
  const expected = response.payload?.dataCrc32c;
  if (expected !== undefined && expected !== null && String(expected) !== String(crc32c(data))) {
    throw new CorruptPayloadError(`CRC32C mismatch for ${name}`);
  }
  // The answer names the version actually read (`latest` resolved to a number).
  const version = response.name?.split("/").pop() || name.split("/").pop()!;
  return { value: decodePayload(data), version };
}

function start(client: SecretManagerServiceClient, name: string, timeoutMs: number): CancellableCall {
  // gax's retry is off (ours bounds attempts by the deadline); the routing header is what the public method adds.
  const callOptions = { retry: null, timeout: timeoutMs, otherArgs: { headers: { "x-goog-request-params": `name=${encodeURIComponent(name)}` } } };
  const inner = (client.innerApiCalls as Record<string, ((...args: unknown[]) => CancellableCall) | undefined>).accessSecretVersion;
  // The inner call keeps `cancel()`, which aborts the HTTP request; the REST transport ignores `timeout`.
  return inner ? inner({ name }, callOptions) : (client.accessSecretVersion({ name }, callOptions as never) as unknown as CancellableCall);
}
