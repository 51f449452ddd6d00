/**
 * Per-provider request limits: at most `concurrency` requests in flight and, when set, a token
 * bucket of `requestsPerSecond` (holding up to `burst` tokens). One limiter per provider instance,
 * shared by every load and refresh that uses it, so concurrent loads cannot add up past the limits.
 */
import { sleep } from "./async.ts";
import { ConfigError } from "./errors.ts";
import { definedOnly } from "./policy.ts";

export interface RequestLimits {
  /**
   * Requests in flight at once per provider. Default 32: GCP and Azure read one secret per request,
   * and 32 lets a typical app's fields go in one wave, well inside the managers' quotas.
   */
  readonly concurrency?: number;
  /** Requests started per second per provider. Default unlimited. */
  readonly requestsPerSecond?: number;
  /** Requests that may start at once after a quiet spell (the bucket's size). Default 1. */
  readonly burst?: number;
}

const DEFAULT_LIMITS: Required<RequestLimits> = Object.freeze({ concurrency: 32, requestsPerSecond: Number.POSITIVE_INFINITY, burst: 1 });

/** `limits` over the defaults, checked. */
export function requestLimits(limits: RequestLimits = {}): Required<RequestLimits> {
  const merged: Required<RequestLimits> = { ...DEFAULT_LIMITS, ...definedOnly(limits) };
  for (const key of ["concurrency", "burst"] as const) {
    if (!Number.isInteger(merged[key]) || merged[key] < 1) throw new ConfigError(`the limits ${key} option is ${merged[key]}: give a whole number of 1 or more`);
  }
  if (!(merged.requestsPerSecond > 0)) {
    throw new ConfigError(`the limits requestsPerSecond option is ${merged.requestsPerSecond}: give a positive number, or leave it out for no rate limit`);
  }
  return merged;
}

export class RequestLimiter {
  #limits: Required<RequestLimits>;
  #active = 0;
  readonly #waiting: Array<() => void> = [];
  /** Tokens in the bucket; below zero, the debt of requests already promised a later start. */
  #tokens: number;
  #countedAt = Date.now();

  constructor(limits: Required<RequestLimits>) {
    this.#limits = limits;
    this.#tokens = limits.burst;
  }

  /** The latest load's limits apply from the next request on. */
  configure(limits: Required<RequestLimits>): void {
    this.#limits = limits;
    this.#tokens = Math.min(this.#tokens, limits.burst);
  }

  /** Run `task` within the limits. Once `signal` aborts nobody waits any more: `task` runs at once (it fails fast on the aborted signal). */
  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const holds = await this.#slot(signal);
    try {
      // No timer at all when no wait is due: a zero-delay timer would stall apps' fake-clock tests.
      const wait = holds ? this.#reserve() : 0;
      if (wait > 0) await sleep(wait, signal);
      return await task();
    } finally {
      if (holds) this.#release();
    }
  }

  #slot(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#active < this.#limits.concurrency) {
      this.#active++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const take = (): void => {
        signal.removeEventListener("abort", giveUp);
        this.#active++;
        resolve(true);
      };
      const giveUp = (): void => {
        const index = this.#waiting.indexOf(take);
        if (index >= 0) this.#waiting.splice(index, 1);
        resolve(false);
      };
      this.#waiting.push(take);
      signal.addEventListener("abort", giveUp, { once: true });
    });
  }

  #release(): void {
    this.#active--;
    if (this.#active < this.#limits.concurrency) this.#waiting.shift()?.();
  }

  /** Take a token; returns how long to wait for it (first come, first served). */
  #reserve(): number {
    const rate = this.#limits.requestsPerSecond;
    if (rate === Number.POSITIVE_INFINITY) return 0;
    const now = Date.now();
    this.#tokens = Math.min(this.#limits.burst, this.#tokens + ((now - this.#countedAt) * rate) / 1000);
    this.#countedAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / rate;
  }
}

const limiters = new WeakMap<object, RequestLimiter>();

/** The limiter of one provider instance, configured with the latest load's limits. */
export function limiterFor(provider: object, limits: Required<RequestLimits>): RequestLimiter {
  const limiter = limiters.get(provider);
  if (limiter) {
    limiter.configure(limits);
    return limiter;
  }
  const created = new RequestLimiter(limits);
  limiters.set(provider, created);
  return created;
}
