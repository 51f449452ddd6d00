import { describe, expect, it } from "vitest";
import { mapWithConcurrency, SharedAttempt } from "../../src/runtime/async.ts";

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
