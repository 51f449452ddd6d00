/**
 * Keeping a loaded secrets object current in a long-running process: re-resolve every field on a
 * jittered interval, swap in values that changed (validated by the schema first), tell onChange
 * handlers, and keep serving the last good value when a refresh fails, reporting it as stale once
 * it is older than maxStalenessMs. Timers never keep the process alive; close() stops everything.
 */
import { isDeepStrictEqual } from "node:util";
import type { Provider } from "../providers/types.ts";
import { publishAudit } from "./audit.ts";
import { ConfigError } from "./errors.ts";
import type { LoadReport } from "./loader.ts";
import { closeProviders } from "./managers.ts";
import type { Provenance } from "./provenance.ts";
import { rememberSecret } from "./redaction.ts";
import { replaceField } from "./secrets-object.ts";
import type { RefreshOptions } from "./settings.ts";

export type ChangeHandler = (provenance: Provenance) => void;

interface Refresher {
  readonly refresh: Required<RefreshOptions>;
  readonly warn: (message: string) => void;
  /** The object being kept current; its fields are replaced one by one. */
  readonly secrets: Readonly<Record<string, unknown>>;
  readonly provenance: Map<string, Provenance>;
  readonly pool: Map<string, Provider>;
  readonly resolve: () => Promise<LoadReport>;
}

interface Running extends Refresher {
  readonly handlers: Map<string, Set<ChangeHandler>>;
  readonly lastGood: Map<string, number>;
  timer?: ReturnType<typeof setTimeout>;
  inFlight?: Promise<void>;
  closed: boolean;
}

const running = new WeakMap<object, Running>();

export function startRefresh(refresher: Refresher): void {
  const now = Date.now();
  const state: Running = {
    ...refresher,
    handlers: new Map(),
    lastGood: new Map([...refresher.provenance.keys()].map((field) => [field, now])),
    closed: false,
  };
  running.set(refresher.secrets, state);
  schedule(state);
}

/** Run `handler` after `field` changes on a refresh; returns a function that unsubscribes. */
export function onChange(secrets: object, field: string, handler: ChangeHandler): () => void {
  const state = runningFor(secrets, "onChange()");
  if (!state.provenance.has(field)) throw new ConfigError(`onChange(): there is no field "${field}" in this secrets object: use one of its keys`);
  const set = state.handlers.get(field) ?? new Set();
  set.add(handler);
  state.handlers.set(field, set);
  return () => void set.delete(handler);
}

/** Refresh now (also what the timer does); resolves when the refresh has been applied. */
export function refreshNow(secrets: object): Promise<void> {
  return refreshState(runningFor(secrets, "refreshNow()"));
}

/** Concurrent refreshes of one object share a single pass. */
function refreshState(state: Running): Promise<void> {
  state.inFlight ??= refreshOnce(state).finally(() => (state.inFlight = undefined));
  return state.inFlight;
}

/** Stop refreshing and release the providers' clients; a no-op for objects loaded without refresh. */
export async function close(secrets: object): Promise<void> {
  const state = running.get(secrets);
  if (!state || state.closed) return;
  state.closed = true;
  clearTimeout(state.timer);
  await state.inFlight;
  await closeProviders(state.pool.values());
}

/** Audit events for every field of a load or refresh. */
export function publishResults(phase: "load" | "refresh", report: LoadReport, durationMs: number): void {
  for (const result of report.results) {
    if (result.ok) {
      const { source, where, version } = result.provenance;
      publishAudit({ phase, field: result.field, outcome: "loaded", source, where, ...(version ? { version } : {}), durationMs });
    } else {
      publishAudit({ phase, field: result.field, outcome: "failed", message: result.failure.message, durationMs });
    }
  }
}

function runningFor(secrets: object, caller: string): Running {
  const state = running.get(secrets);
  if (!state) throw new ConfigError(`${caller} needs a secrets object loaded with refresh: pass loadSecrets({ refresh: { intervalMs } }) or set SECRETS_REFRESH_INTERVAL_MS`);
  return state;
}

function schedule(state: Running): void {
  if (state.closed) return;
  const { intervalMs, jitter } = state.refresh;
  const delay = intervalMs * (1 + jitter * (2 * Math.random() - 1));
  state.timer = setTimeout(() => void refreshState(state).finally(() => schedule(state)), delay);
  unref(state.timer);
}

async function refreshOnce(state: Running): Promise<void> {
  const started = performance.now();
  let report: LoadReport;
  try {
    report = await state.resolve();
  } catch (error) {
    state.warn(`refreshing secrets failed (${(error as Error)?.message ?? error}); keeping the last good values.`);
    return;
  }
  if (state.closed) return;
  const durationMs = performance.now() - started;
  const now = Date.now();
  for (const result of report.results) {
    if (!result.ok) {
      const age = now - (state.lastGood.get(result.field) ?? now);
      const stale = age > state.refresh.maxStalenessMs;
      publishAudit({ phase: "refresh", field: result.field, outcome: stale ? "stale" : "failed", message: result.failure.message, durationMs });
      state.warn(stale
        ? `${result.field} could not be refreshed for ${Math.round(age / 1000)} s, past maxStalenessMs; still serving the last good value: ${result.failure.message}`
        : `${result.field} could not be refreshed; keeping the last good value: ${result.failure.message}`);
      continue;
    }
    state.lastGood.set(result.field, now);
    const { field, value, provenance } = result;
    const changed = !isDeepStrictEqual(state.secrets[field], value) || state.provenance.get(field)?.version !== provenance.version;
    const { source, where, version } = provenance;
    publishAudit({ phase: "refresh", field, outcome: changed ? "changed" : "unchanged", source, where, ...(version ? { version } : {}), durationMs });
    if (!changed) continue;
    if (provenance.sensitive) rememberSecret(value);
    replaceField(state.secrets, field, value);
    state.provenance.set(field, provenance);
    for (const handler of state.handlers.get(field) ?? []) {
      try {
        handler(provenance);
      } catch (error) {
        state.warn(`an onChange handler for ${field} threw ${(error as Error)?.name ?? "an error"}; the new value is in place.`);
      }
    }
  }
}

/** Node timers have unref(); Deno's are numbers unref'd through Deno.unrefTimer. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "object" && timer !== null && "unref" in timer) timer.unref();
  else (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno?.unrefTimer(timer as unknown as number);
}
