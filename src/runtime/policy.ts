/**
 * The one retry / time-out policy every provider's requests follow. The runtime builds it from
 * LoadOptions.retry and hands it to providers in ResolveContext; each provider only says which of
 * its errors are transient ("unavailable") and runs its requests through `retry()`.
 */
import { sleep } from "./async.ts";
import { ConfigError } from "./errors.ts";
import type { RequestLimiter } from "./rate-limit.ts";

export interface RetryPolicyOptions {
  /** Attempts per request, the first included. Default 3. */
  readonly attempts?: number;
  /** Back-off ceiling before the first retry; it doubles each retry and the wait is a random part of it (full jitter). Default 200 ms. */
  readonly baseDelayMs?: number;
  /** Largest back-off ceiling. Default 2 000 ms. */
  readonly maxDelayMs?: number;
  /** One attempt gives up after this long; that counts as "unavailable" and is retried. Default 3 000 ms. */
  readonly requestTimeoutMs?: number;
}

export interface RetryPolicy extends Required<RetryPolicyOptions> {
  /** Injectable jitter source for deterministic tests; default Math.random. */
  readonly random?: () => number;
}

/** Three timed-out attempts and their back-offs (3 × 3 s + 0.6 s) still fit the default 10 s start-up deadline. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000, requestTimeoutMs: 3_000 });

/** Secrets are small (AWS and GCP cap them at 64 KiB, Azure at 25 KiB): an answer past this is not a secret, and reading on only grows memory. */
export const DEFAULT_MAX_ANSWER_BYTES = 512 * 1024;

/** `options` over `base`, checked; `where` names the option in errors (e.g. "retry"). */
export function retryPolicy(options: RetryPolicyOptions & { readonly random?: () => number } = {}, base: RetryPolicy = DEFAULT_RETRY_POLICY, where = "retry"): RetryPolicy {
  const merged = { ...base, ...definedOnly(options) };
  if (!Number.isInteger(merged.attempts) || merged.attempts < 1) {
    throw new ConfigError(`the ${where} attempts option is ${merged.attempts}: give a whole number of 1 or more`);
  }
  for (const key of ["baseDelayMs", "maxDelayMs", "requestTimeoutMs"] as const) {
    const value = merged[key];
    if (!Number.isFinite(value) || value < 0 || (key === "requestTimeoutMs" && value === 0)) {
      throw new ConfigError(`the ${where} ${key} option is ${value}: give a ${key === "requestTimeoutMs" ? "positive" : "non-negative"} number of milliseconds`);
    }
  }
  return merged;
}

/** `options` without its undefined entries: spread over defaults, an unset option keeps its default. */
export const definedOnly = <T extends object>(options: T): Partial<T> =>
  Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;

/** Thrown by `retry()` when one attempt outlives `requestTimeoutMs`; `code` lets any network-error classifier see a time-out. */
export class RequestTimeoutError extends Error {
  override name = "RequestTimeoutError";
  readonly code = "ETIMEDOUT";
  constructor(readonly timeoutMs: number) {
    super(`no answer within the ${timeoutMs} ms per-request timeout`);
  }
}

/** Full jitter: a random wait up to min(maxDelayMs, baseDelayMs × 2^(retry − 1)). */
export function backoffMs(policy: RetryPolicy, retryNumber: number): number {
  return (policy.random ?? Math.random)() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1));
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  /** The provider's classification: only errors it accepts (the "unavailable" ones) are retried. A per-request time-out always is. */
  readonly isRetryable: (error: unknown) => boolean;
  /** The start-up deadline: no wait or attempt starts after it. */
  readonly signal: AbortSignal;
  /** The provider's concurrency and rate limit, taken around each attempt. */
  readonly limiter?: RequestLimiter;
  /** A server's own "retry after" hint (429/503 Retry-After), waited out when longer than the back-off. */
  readonly retryAfterMs?: (error: unknown) => number | undefined;
}

/**
 * Run `attempt` until it succeeds, fails for good, runs out of attempts or meets the deadline.
 * Each attempt gets a signal that aborts on its own time-out or on the deadline: pass it to the
 * SDK call. The last error is rethrown as it is, for the provider to classify.
 */
export async function retry<T>(attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, signal } = options;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await timed(attempt, attemptNumber, options);
    } catch (error) {
      const retryable = error instanceof RequestTimeoutError || options.isRetryable(error);
      if (attemptNumber >= policy.attempts || signal.aborted || !retryable) throw error;
      await sleep(Math.max(backoffMs(policy, attemptNumber), options.retryAfterMs?.(error) ?? 0), signal);
      if (signal.aborted) throw error;
    }
  }
}

/** One attempt under the limiter, raced against its time-out. */
async function timed<T>(attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>, attemptNumber: number, options: RetryOptions): Promise<T> {
  const run = async (): Promise<T> => {
    const controller = new AbortController();
    // After the deadline the attempt still starts, with an aborted signal, so the provider reports the deadline its own way.
    const signal = AbortSignal.any([options.signal, controller.signal]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new RequestTimeoutError(options.policy.requestTimeoutMs);
        reject(error);
        controller.abort(error);
      }, options.policy.requestTimeoutMs);
    });
    try {
      return await Promise.race([attempt(signal, attemptNumber), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
  return options.limiter && !options.signal.aborted ? options.limiter.run(run, options.signal) : run();
}

/** What a provider passes to `retry()` besides its classification: the context's policy (defaults outside loadSecrets) with the provider's own overrides. */
export function requestOptions(
  context: { readonly signal: AbortSignal; readonly retryPolicy?: RetryPolicy; readonly limiter?: RequestLimiter },
  overrides: RetryPolicyOptions & { readonly random?: () => number } = {},
): Pick<RetryOptions, "policy" | "signal" | "limiter"> {
  return {
    policy: retryPolicy(overrides, context.retryPolicy ?? DEFAULT_RETRY_POLICY, "provider retry"),
    signal: context.signal,
    ...(context.limiter ? { limiter: context.limiter } : {}),
  };
}
