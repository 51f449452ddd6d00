import type { SecretRef } from "../schema/ref.ts";
import type { RetryPolicy } from "../runtime/policy.ts";
import type { RequestLimiter } from "../runtime/rate-limit.ts";

export type { SecretRef };

/** Why a provider could not answer for a ref. Drives production policy: every kind fails closed in production. */
export type ProviderErrorKind =
  /** The manager refused (403, AccessDenied, PERMISSION_DENIED). */
  | "denied"
  /** The manager could not be reached or answered 5xx / throttled / timed out / sealed. Retryable. */
  | "unavailable"
  /** The ref or the manager's answer makes no sense (bad ref for this provider, malformed body, missing JSON key). */
  | "invalid";

/** The answer for one ref. Messages name paths and refs, never a value, token or credential. */
export type Outcome =
  | {
      readonly status: "found";
      readonly value: string | Uint8Array;
      /** The manager's version id/number of the value, when it has one. */
      readonly version?: string;
      /** How long the value may be cached (lease duration / TTL), when the manager says. */
      readonly ttlSeconds?: number;
    }
  | {
      readonly status: "missing";
      /** Short, value-free reason, e.g. "version 3 was destroyed". */
      readonly reason?: string;
      /** Set when the secret itself does not exist (rather than a version being disabled, destroyed or expired), so writing the ref creates it. */
      readonly absent?: boolean;
    }
  | {
      readonly status: "error";
      readonly kind: ProviderErrorKind;
      /** One value-free sentence: what went wrong and what to do. */
      readonly message: string;
      readonly cause?: unknown;
      /** Set when the secret exists but has no such `#key`, so writing the ref would add the key (push, migrate). */
      readonly missingKey?: boolean;
    };

/** What the runtime gives a provider for one batch. */
export interface ResolveContext {
  /** The environment the app was loaded with (injected in tests); read config such as VAULT_ADDR from here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the start-up deadline passes; pass it to SDK calls that accept one. */
  readonly signal: AbortSignal;
  /** Whether production rules apply. */
  readonly production: boolean;
  /** Report a value-free warning (e.g. TLS verification disabled). */
  readonly warn: (message: string) => void;
  /**
   * True when the runtime keeps this provider open to refresh and closes it once the app is done:
   * a provider may then hold leases (renew them on later calls, revoke them on close()). Otherwise
   * close() follows the load at once, and what was read must outlive it.
   */
  readonly refreshing?: boolean;
  /** The load's retry / per-request time-out policy (LoadOptions.retry); pass it to `retry()` via `requestOptions(context)`. Absent outside loadSecrets: the defaults apply. */
  readonly retryPolicy?: RetryPolicy;
  /** Largest manager answer to read (LoadOptions.maxAnswerBytes); absent: DEFAULT_MAX_ANSWER_BYTES. Stop reading past it. */
  readonly maxAnswerBytes?: number;
  /** This provider's concurrency and rate limit (LoadOptions.limits), which `retry()` applies to each attempt. */
  readonly limiter?: RequestLimiter;
}

/** What a successful write stored. */
export interface WriteResult {
  /** The manager's id/number of the new version, when it has one. */
  readonly version?: string;
}

/** Why a write failed: a read's kinds, or "conflict" when the secret changed between our read and our write. */
export class ProviderWriteError extends Error {
  override name = "ProviderWriteError";
  constructor(readonly kind: ProviderErrorKind | "conflict", message: string) {
    super(message);
  }
}

/**
 * A secret source behind one or more URL schemes. The runtime hands it every ref of its schemes
 * at once (deduplicated by `raw`), so a provider can batch, read each distinct path once and fan
 * the answer out to several `#key`s.
 */
export interface Provider {
  /** Shown in reports, e.g. "vault". */
  readonly name: string;
  /** The ref schemes it serves, e.g. ["vault"]. */
  readonly schemes: readonly string[];
  /** Resolve every ref; the map must have an entry for each `ref.raw`. */
  resolve(refs: readonly SecretRef[], context: ResolveContext): Promise<ReadonlyMap<string, Outcome>>;
  /**
   * Store `value` as a new version at the ref (creating the secret when missing). A ref with a
   * `#key` changes only that key and keeps the others. Version-pinned refs are refused. Throws a
   * ProviderWriteError with a one-sentence, value-free message.
   */
  write?(ref: SecretRef, value: string, context: ResolveContext): Promise<WriteResult>;
  /**
   * Remove what the ref names, recoverably: a `#key` ref removes that key and keeps the others; a whole
   * secret is deleted the manager's recoverable way. Nothing there is not an error. Throws a ProviderWriteError.
   */
  delete?(ref: SecretRef, context: ResolveContext): Promise<void>;
  /** Release clients, timers and sockets. */
  close?(): Promise<void>;
}

/** How a built-in provider file is shaped: a factory with options, default-exported. */
export type ProviderFactory<Options = Record<string, never>> = (options?: Options) => Provider;

/**
 * Provider factories by ref scheme, each imported on first use. A generated module lists exactly
 * the schemes its schema uses (so bundlers see no other provider or SDK); the CLI lists all built-ins.
 */
export type ProviderLoaders = Readonly<Record<string, () => Promise<ProviderFactory<never>>>>;

/** Identity helper so a custom provider gets its types checked. */
export function defineProvider(provider: Provider): Provider {
  return provider;
}
