/** Small async building blocks shared by the runtime and the providers. */

/** Run `task` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** Resolves after `ms`, or early when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * A promise made once and shared by every caller, and made again only after it failed: a failed
 * SDK import, login or bad setting must not stick, while a good connection is reused.
 */
export class SharedAttempt<T> {
  #promise: Promise<T> | undefined;

  get(make: () => Promise<T>): Promise<T> {
    this.#promise ??= make().catch((error: unknown) => {
      this.#promise = undefined;
      throw error;
    });
    return this.#promise;
  }

  /** Forget the current attempt and return it (settled or not), e.g. to release it on close(). */
  forget(): Promise<T> | undefined {
    const promise = this.#promise;
    this.#promise = undefined;
    return promise;
  }
}
