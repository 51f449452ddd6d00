/**
 * The one retry policy (runtime/policy.ts) and the per-provider limiter (runtime/rate-limit.ts),
 * on fake timers: attempts, full-jitter back-off with its cap, per-request time-outs, the deadline,
 * Retry-After, the concurrency limit and the token bucket's spacing.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffMs, DEFAULT_RETRY_POLICY, RequestTimeoutError, retry, retryPolicy } from "../../src/runtime/policy.ts";
import { RequestLimiter, requestLimits } from "../../src/runtime/rate-limit.ts";
import { ConfigError } from "../../src/runtime/errors.ts";

const NEVER = new AbortController().signal;
const transient = (e: unknown) => (e as Error).message === "transient";

describe("retryPolicy", () => {
  it("has documented defaults, merges overrides and refuses nonsense with the option's name", () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000, requestTimeoutMs: 3_000 });
    expect(retryPolicy({ attempts: 5, baseDelayMs: undefined })).toEqual({ ...DEFAULT_RETRY_POLICY, attempts: 5 });
    expect(() => retryPolicy({ attempts: 0 })).toThrow(ConfigError);
    expect(() => retryPolicy({ attempts: 0 })).toThrow("the retry attempts option is 0: give a whole number of 1 or more");
    expect(() => retryPolicy({ requestTimeoutMs: 0 })).toThrow("the retry requestTimeoutMs option is 0: give a positive number of milliseconds");
    expect(() => retryPolicy({ maxDelayMs: -1 })).toThrow("maxDelayMs");
  });

  it("backs off with full jitter under a doubling ceiling capped at maxDelayMs", () => {
    const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 300, random: () => 1 });
    expect([1, 2, 3, 4].map((n) => backoffMs(policy, n))).toEqual([100, 200, 300, 300]);
    expect(backoffMs({ ...policy, random: () => 0.5 }, 2)).toBe(100);
  });
});

describe("retry", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("retries only what isRetryable accepts, up to the attempt limit", async () => {
    const policy = retryPolicy({ attempts: 3, baseDelayMs: 0 });
    let calls = 0;
    const failing = retry(async () => { calls++; throw new Error("transient"); }, { policy, signal: NEVER, isRetryable: transient });
    const settled = expect(failing).rejects.toThrow("transient");
    await vi.runAllTimersAsync();
    await settled;
    expect(calls).toBe(3);
    calls = 0;
    await expect(retry(async () => { calls++; throw new Error("permanent"); }, { policy, signal: NEVER, isRetryable: transient })).rejects.toThrow("permanent");
    expect(calls).toBe(1);
  });

  it("gives an attempt that outlives requestTimeoutMs up, aborts its signal and retries it as transient", async () => {
    const policy = retryPolicy({ attempts: 3, baseDelayMs: 0, requestTimeoutMs: 1_000 });
    const signals: AbortSignal[] = [];
    const result = retry(
      (signal, n) => {
        signals.push(signal);
        return n < 3 ? new Promise<never>(() => undefined) : Promise.resolve("third");
      },
      { policy, signal: NEVER, isRetryable: () => false },
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(signals).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[0]!.reason).toBeInstanceOf(RequestTimeoutError);
    await vi.advanceTimersByTimeAsync(1_100); // the second attempt's time-out, a zero back-off, then the third
    expect(await result).toBe("third");
    expect(signals).toHaveLength(3);
  });

  it("rethrows the time-out (code ETIMEDOUT) when every attempt times out", async () => {
    const policy = retryPolicy({ attempts: 2, baseDelayMs: 0, requestTimeoutMs: 50 });
    const result = retry(() => new Promise<never>(() => undefined), { policy, signal: NEVER, isRetryable: () => false });
    const settled = expect(result).rejects.toMatchObject({ name: "RequestTimeoutError", code: "ETIMEDOUT", message: "no answer within the 50 ms per-request timeout" });
    await vi.advanceTimersByTimeAsync(200);
    await settled;
  });

  it("never waits or starts an attempt past the deadline", async () => {
    const deadline = new AbortController();
    const policy = retryPolicy({ attempts: 5, baseDelayMs: 10_000, random: () => 1 });
    let calls = 0;
    const result = retry(async () => { calls++; throw new Error("transient"); }, { policy, signal: deadline.signal, isRetryable: transient });
    const settled = expect(result).rejects.toThrow("transient");
    await vi.advanceTimersByTimeAsync(500);
    deadline.abort();
    await settled;
    expect(calls).toBe(1);
  });

  it("waits out a Retry-After longer than the back-off", async () => {
    const policy = retryPolicy({ attempts: 2, baseDelayMs: 10, random: () => 1 });
    let calls = 0;
    const result = retry(async () => (++calls === 1 ? Promise.reject(new Error("transient")) : "ok"), {
      policy, signal: NEVER, isRetryable: transient, retryAfterMs: () => 5_000,
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toBe("ok");
  });
});

describe("RequestLimiter", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("spaces requests by the token bucket: a burst, then one every 1/requestsPerSecond", async () => {
    const limiter = new RequestLimiter(requestLimits({ requestsPerSecond: 4, burst: 2, concurrency: 100 }));
    const started: number[] = [];
    const all = Promise.all(Array.from({ length: 6 }, () => limiter.run(async () => void started.push(Date.now()), NEVER)));
    await vi.runAllTimersAsync();
    await all;
    expect(started).toEqual([0, 0, 250, 500, 750, 1000]);
  });

  it("never has more than `concurrency` tasks running, and frees a waiter's place when its deadline passes", async () => {
    const limiter = new RequestLimiter(requestLimits({ concurrency: 2 }));
    let running = 0;
    let peak = 0;
    const task = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 100));
      running--;
    };
    const all = Promise.all(Array.from({ length: 7 }, () => limiter.run(task, NEVER)));
    await vi.runAllTimersAsync();
    await all;
    expect(peak).toBe(2);

    const deadline = new AbortController();
    const holding = [limiter.run(task, NEVER), limiter.run(task, NEVER)];
    let ranLate = false;
    const waiting = limiter.run(async () => void (ranLate = true), deadline.signal);
    deadline.abort();
    await waiting;
    expect(ranLate).toBe(true); // ran at once with the aborted signal (the provider reports the deadline), not holding a place
    await vi.runAllTimersAsync();
    await Promise.all(holding);
  });

  it("sets no timer when no wait is due (a zero-delay timer would stall apps' fake clocks)", async () => {
    const limiter = new RequestLimiter(requestLimits());
    await expect(limiter.run(async () => "ran", NEVER)).resolves.toBe("ran");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("refuses nonsense limits with the option's name", () => {
    expect(() => requestLimits({ concurrency: 0 })).toThrow("the limits concurrency option is 0: give a whole number of 1 or more");
    expect(() => requestLimits({ requestsPerSecond: 0 })).toThrow("requestsPerSecond");
    expect(requestLimits()).toEqual({ concurrency: 32, requestsPerSecond: Number.POSITIVE_INFINITY, burst: 1 });
  });
});
