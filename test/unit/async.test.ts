import { describe, expect, it } from "vitest";
import { mapWithConcurrency, retry, SharedAttempt } from "../../src/runtime/async.ts";

describe("SharedAttempt", () => {
  it("shares one attempt between callers, and makes a new one only after a failure", async () => {
    const attempt = new SharedAttempt<number>();
    let made = 0;
    const fail = () => Promise.reject(new Error(`attempt ${++made} failed`));
    const succeed = () => Promise.resolve(++made);
    await expect(Promise.all([attempt.get(fail), attempt.get(fail)])).rejects.toThrow("attempt 1 failed");
    expect(await Promise.all([attempt.get(succeed), attempt.get(succeed)])).toEqual([2, 2]);
    expect(await attempt.get(succeed)).toBe(2);
    expect(await attempt.forget()).toBe(2);
    expect(await attempt.get(succeed)).toBe(3);
  });
});

describe("retry", () => {
  it("retries only what isRetryable accepts, up to the attempt limit", async () => {
    let calls = 0;
    const options = { attempts: 3, baseDelayMs: 0, isRetryable: (e: unknown) => (e as Error).message === "transient" };
    await expect(retry(async () => { calls++; throw new Error("transient"); }, options)).rejects.toThrow("transient");
    expect(calls).toBe(3);
    calls = 0;
    await expect(retry(async () => { calls++; throw new Error("permanent"); }, options)).rejects.toThrow("permanent");
    expect(calls).toBe(1);
    expect(await retry(async (n) => (n < 2 ? Promise.reject(new Error("transient")) : n), options)).toBe(2);
  });

  it("stops retrying once the signal is aborted", async () => {
    const controller = new AbortController();
    let calls = 0;
    const failing = async () => {
      calls++;
      controller.abort();
      throw new Error("transient");
    };
    await expect(retry(failing, { attempts: 5, baseDelayMs: 1_000_000, isRetryable: () => true, signal: controller.signal })).rejects.toThrow();
    expect(calls).toBe(1);
  });
});

describe("mapWithConcurrency", () => {
  it("keeps the input order and never runs more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (item) => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return item * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
