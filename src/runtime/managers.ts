/**
 * Chain step 1: the external managers. Refs are resolved in rounds — every field's first ref,
 * then the second ref of fields still without a value — and within a round each provider gets
 * all of its refs in one batch, providers running concurrently under one deadline.
 */
import { setMaxListeners } from "node:events";
import type { Outcome, Provider, ProviderLoaders, ResolveContext, SecretRef } from "../providers/types.ts";
import { shareRequests, type Flight } from "./coalesce.ts";
import { limiterFor } from "./rate-limit.ts";
import { ConfigError, withheldName } from "./errors.ts";
import type { FieldState } from "./field-state.ts";
import { printable } from "./printable.ts";
import type { Settings } from "./settings.ts";

/**
 * Providers by scheme for this load: explicit ones first, then those `loaders` name, created on
 * demand into `pool`, which a refreshing loader keeps so each refresh reuses their clients and logins.
 */
export async function providersFor(
  states: readonly FieldState[],
  settings: Settings,
  pool: Map<string, Provider>,
  loaders: ProviderLoaders,
): Promise<Map<string, Provider>> {
  const byScheme = new Map<string, Provider>();
  for (const provider of settings.providers) {
    for (const scheme of provider.schemes) if (!byScheme.has(scheme)) byScheme.set(scheme, provider);
  }
  const needed = new Set(states.flatMap((state) => state.spec.from.map((ref) => ref.scheme)));
  for (const scheme of needed) {
    if (byScheme.has(scheme)) continue;
    const load = loaders[scheme];
    if (!load) {
      const field = states.find((state) => state.spec.from.some((ref) => ref.scheme === scheme))!.spec;
      const ref = field.from.find((r) => r.scheme === scheme)!.raw;
      const known = [...new Set([...Object.keys(loaders), ...byScheme.keys()])].join(", ") || "none";
      throw new ConfigError(
        `field ${field.name} uses ref ${ref}, but no provider handles the "${scheme}" scheme (known here: ${known}): fix the ref, regenerate the module with \`npx secrets-gen\`, or pass a provider in loadSecrets({ providers }) (a built-in one comes from "secrets-gen/providers/${scheme}")`,
      );
    }
    const provider = pool.get(scheme) ?? (await load())();
    pool.set(scheme, provider);
    byScheme.set(scheme, provider);
  }
  return byScheme;
}

/** Release providers' clients, sockets and timers; a failing close must not hide the others. */
export async function closeProviders(providers: Iterable<Provider>): Promise<void> {
  await Promise.allSettled([...providers].map((provider) => provider.close?.()));
}

export async function resolveManagers(
  states: readonly FieldState[],
  providers: ReadonlyMap<string, Provider>,
  settings: Settings,
): Promise<void> {
  const deadline = new AbortController();
  // Every in-flight request of every provider listens to this one signal: more than Node's default 10 is normal.
  setMaxListeners(0, deadline.signal);
  const timer = setTimeout(() => deadline.abort(), settings.timeoutMs);
  try {
    for (let round = 0; ; round++) {
      const asking = states.filter(
        (state) => !state.settled && round < state.spec.from.length && state.accepts("manager", settings.production),
      );
      if (asking.length === 0) return;
      const refs = asking.map((state) => state.spec.from[round]!);
      const outcomes = await resolveBatch(refs, providers, settings, deadline.signal);
      for (const state of asking) apply(state, state.spec.from[round]!, outcomes.get(state.spec.from[round]!.raw)!, settings);
    }
  } finally {
    clearTimeout(timer);
  }
}

function apply(state: FieldState, ref: SecretRef, outcome: Outcome, settings: Settings): void {
  // Refs, versions and error texts reach reports and tables; a manager's answer may hold control characters.
  const where = printable(ref.raw);
  if (outcome.status === "found") {
    const version = outcome.version && printable(outcome.version);
    state.record({ source: "manager", where, outcome: "found", ...(version ? { detail: `version ${version}` } : {}) });
    state.found = {
      value: outcome.value, source: "manager", where,
      ...(version ? { version } : {}),
      ...(outcome.ttlSeconds !== undefined ? { ttlSeconds: outcome.ttlSeconds } : {}),
    };
    return;
  }
  if (outcome.status === "missing") {
    state.record({ source: "manager", where, outcome: "missing", detail: printable(outcome.reason ?? "not found") });
    return;
  }
  const detail = printable(`${outcome.kind}: ${outcome.message}`);
  state.record({ source: "manager", where, outcome: "error", detail });
  if (settings.production) {
    // Fail closed: an outage or a denial must never fall through to a weaker source.
    state.failure = `${state.spec.name}: ${where} failed (${detail}); production does not fall back to other sources, so fix the manager or its access.`;
  } else {
    state.warnings.push(`${state.spec.name}: ${where} failed (${detail}); trying the next source because this is not production.`);
  }
}

async function resolveBatch(
  refs: readonly SecretRef[],
  providers: ReadonlyMap<string, Provider>,
  settings: Settings,
  signal: AbortSignal,
): Promise<Map<string, Outcome>> {
  const byProvider = new Map<Provider, Map<string, SecretRef>>();
  for (const ref of refs) {
    const provider = providers.get(ref.scheme)!;
    const batch = byProvider.get(provider) ?? new Map<string, SecretRef>();
    batch.set(ref.raw, ref);
    byProvider.set(provider, batch);
  }
  const context: ResolveContext = { env: settings.env, signal, production: settings.production, warn: settings.warn, retryPolicy: settings.retry, maxAnswerBytes: settings.maxAnswerBytes, refreshing: settings.refresh !== undefined };
  const answers = await Promise.all(
    [...byProvider].map(([provider, batch]) =>
      askProvider(provider, [...batch.values()], { ...context, limiter: limiterFor(provider, settings.limits) }, settings.timeoutMs),
    ),
  );
  return new Map(answers.flatMap((answer) => [...answer]));
}

/**
 * The provider's answers for `refs`, sharing calls already in flight for the same refs (see
 * coalesce.ts); always settles with an outcome per ref: by answer, by error, or by deadline.
 */
async function askProvider(
  provider: Provider,
  refs: readonly SecretRef[],
  context: ResolveContext,
  timeoutMs: number,
): Promise<Map<string, Outcome>> {
  const timedOut = new Promise<"timeout">((resolve) => {
    if (context.signal.aborted) resolve("timeout");
    context.signal.addEventListener("abort", () => resolve("timeout"), { once: true });
  });
  const flights = shareRequests(provider, refs, context);
  const answers = await Promise.race([Promise.all(flights.map((flight) => outcomesOf(provider, flight))), timedOut]);
  if (answers === "timeout") {
    const late: Outcome = { status: "error", kind: "unavailable", message: `${provider.name} gave no answer within the ${timeoutMs} ms start-up deadline` };
    return new Map(refs.map((ref) => [ref.raw, late]));
  }
  const merged = new Map(answers.flatMap((answer) => [...answer]));
  return new Map(refs.map((ref) => [ref.raw, merged.get(ref.raw)!]));
}

/** One provider call's answer checked into an outcome per ref it was asked for. */
async function outcomesOf(provider: Provider, flight: Flight): Promise<Map<string, Outcome>> {
  const everyRef = (outcome: Outcome) => new Map(flight.refs.map((ref) => [ref.raw, outcome]));
  try {
    const answer = await flight.answer;
    if (!(answer instanceof Map)) return everyRef(providerBug(provider, "returned something other than a Map of answers"));
    return new Map(flight.refs.map((ref) => [ref.raw, checkedOutcome(provider, answer.get(ref.raw))]));
  } catch (error) {
    return everyRef({ status: "error", kind: "invalid", message: thrownMessage(provider, error), cause: error });
  }
}

const ERROR_KINDS = new Set(["denied", "unavailable", "invalid"]);
const optionalText = (value: unknown): boolean => value === undefined || typeof value === "string";

/**
 * A provider's answer is checked before anything formats it: custom providers are user code,
 * and a malformed answer must become a classified error, never a TypeError in the loader.
 */
function checkedOutcome(provider: Provider, outcome: unknown): Outcome {
  if (typeof outcome !== "object" || outcome === null) return providerBug(provider, "returned no answer for this ref");
  const answer = outcome as Record<string, unknown>;
  const wellFormed =
    (answer.status === "found" && (typeof answer.value === "string" || answer.value instanceof Uint8Array) && optionalText(answer.version) &&
      (answer.ttlSeconds === undefined || typeof answer.ttlSeconds === "number")) ||
    (answer.status === "missing" && optionalText(answer.reason)) ||
    (answer.status === "error" && ERROR_KINDS.has(answer.kind as string) && typeof answer.message === "string");
  return wellFormed ? (answer as Outcome) : providerBug(provider, "returned a malformed answer for this ref");
}

function providerBug(provider: Provider, what: string): Outcome {
  return { status: "error", kind: "invalid", message: `the ${provider.name} provider ${what}: report this as a provider bug` };
}

/**
 * A provider may throw anything, even objects that cannot become strings. Its message is not
 * shown: a JSON.parse of a payload, say, quotes the first characters of the secret in it.
 */
function thrownMessage(provider: Provider, error: unknown): string {
  if (!(error instanceof Error)) return "it threw a value that is not an Error";
  return `the ${provider.name} provider threw ${withheldName(error)}, whose message is not shown as it may quote a value: have it return an error outcome with its own message`;
}
