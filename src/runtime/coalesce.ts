/**
 * Request coalescing: loads and refreshes that ask one provider instance for the same ref at the
 * same time share one request. A batch whose refs are partly in flight waits for those answers
 * and asks the provider only for the rest.
 */
import { setMaxListeners } from "node:events";
import type { Provider, ResolveContext, SecretRef } from "../providers/types.ts";

/** One provider call shared by every caller waiting on any of its refs. */
export interface Flight {
  readonly refs: readonly SecretRef[];
  /** The provider's answer as it came (checked by the caller), or its error. */
  readonly answer: Promise<unknown>;
}

interface Shared extends Flight {
  readonly stop: AbortController;
  /** Callers whose deadline has not passed yet; the shared call is aborted only when none is left. */
  waiting: number;
}

// Keyed by provider instance, then by the env object: loads with a different env may configure the provider differently.
const inFlight = new WeakMap<Provider, WeakMap<object, Map<string, Shared>>>();

/** The calls that answer `refs`: joined ones already in flight, plus at most one new call for the rest. */
export function shareRequests(provider: Provider, refs: readonly SecretRef[], context: ResolveContext): Flight[] {
  const byEnv = inFlight.get(provider) ?? new WeakMap<object, Map<string, Shared>>();
  inFlight.set(provider, byEnv);
  const flights = byEnv.get(context.env) ?? new Map<string, Shared>();
  byEnv.set(context.env, flights);

  const joined = new Set<Shared>();
  const fresh: SecretRef[] = [];
  for (const ref of refs) {
    const shared = flights.get(ref.raw);
    if (shared) joined.add(shared);
    else fresh.push(ref);
  }
  if (fresh.length > 0) {
    const stop = new AbortController();
    // Every request of the shared call listens to this signal: more than Node's default 10 is normal.
    setMaxListeners(0, stop.signal);
    const answer = Promise.resolve().then(() => provider.resolve(fresh, { ...context, signal: stop.signal }));
    const shared: Shared = { refs: fresh, answer, stop, waiting: 0 };
    for (const ref of fresh) flights.set(ref.raw, shared);
    const land = (): void => {
      for (const ref of fresh) if (flights.get(ref.raw) === shared) flights.delete(ref.raw);
    };
    answer.then(land, land);
    joined.add(shared);
  }
  for (const shared of joined) wait(shared, context.signal);
  return [...joined];
}

function wait(shared: Shared, deadline: AbortSignal): void {
  shared.waiting++;
  const leave = (): void => {
    if (--shared.waiting === 0) shared.stop.abort(deadline.reason);
  };
  if (deadline.aborted) return leave();
  deadline.addEventListener("abort", leave, { once: true });
  const done = (): void => deadline.removeEventListener("abort", leave);
  shared.answer.then(done, done);
}
