/**
 * Keeping a loaded secrets object current in a long-running process: re-resolve the refreshed
 * fields (every field, or those listed in refresh.fields) on a jittered interval and before any
 * TTL their source gave runs out, swap in values that changed (validated by the schema first),
 * tell onChange handlers, and keep serving the last good value when a refresh fails, reporting it
 * as stale once it is older than maxStalenessMs. One timer, armed for whatever is due first, never
 * keeps the process alive; close() stops everything.
 */
import { isDeepStrictEqual } from "node:util";
import type { Provider } from "../providers/types.ts";
import { publishAudit } from "./audit.ts";
import { ConfigError, isOwnError, withheldError, withheldName } from "./errors.ts";
import type { LoadReport } from "./loader.ts";
import { closeProviders } from "./managers.ts";
import { watchMountSwaps, type MountWatch } from "./mount-watch.ts";
import type { Provenance } from "./provenance.ts";
import { rememberSecret } from "./redaction.ts";
import { replaceField } from "./secrets-object.ts";
import type { RefreshSettings } from "./settings.ts";

export type ChangeHandler = (provenance: Provenance) => void;

interface Refresher {
  readonly refresh: RefreshSettings;
  readonly warn: (message: string) => void;
  /** The object being kept current; its fields are replaced one by one. */
  readonly secrets: Readonly<Record<string, unknown>>;
  readonly provenance: Map<string, Provenance>;
  readonly pool: Map<string, Provider>;
  /** The Kubernetes mount directory, watched for kubelet's `..data` swap when a refreshed field comes from it. */
  readonly k8sDir?: string;
  /** Resolve and validate the named fields only. */
  readonly resolve: (fields: ReadonlySet<string>) => Promise<LoadReport>;
}

/** When one refreshed field is next due because of its TTL. */
interface FieldClock {
  lastGood: number;
  /** The TTL the source last gave, and when the last good value runs out; undefined without one. */
  ttlMs?: number;
  expiresAt?: number;
  ttlDue?: number;
}

interface Pass {
  readonly fields: ReadonlySet<string>;
  readonly done: Promise<void>;
}

interface Running extends Refresher {
  readonly handlers: Map<string, Set<ChangeHandler>>;
  /** The refreshed fields, in schema order. */
  readonly fields: readonly string[];
  readonly clocks: Map<string, FieldClock>;
  /** When the next interval pass over every refreshed field is due; undefined without intervalMs. */
  sweepDue?: number;
  timer?: ReturnType<typeof setTimeout>;
  inFlight?: Pass;
  mountWatch?: MountWatch;
  closed: boolean;
}

/** A TTL-driven refresh comes at this fraction of the TTL (less jitter): early enough to retry before the end. */
const TTL_FRACTION = 2 / 3;
/** No TTL-driven wait is shorter: a source answering with a tiny TTL must not spin the refresher. */
const MIN_TTL_WAIT_MS = 1_000;
/** setTimeout's largest delay; a longer wait is taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const running = new WeakMap<object, Running>();

export function startRefresh(refresher: Refresher): void {
  const now = Date.now();
  const { fields: only, intervalMs, jitter } = refresher.refresh;
  const fields = [...refresher.provenance.keys()].filter((field) => !only || only.has(field));
  const state: Running = { ...refresher, handlers: new Map(), fields, clocks: new Map(), closed: false };
  const spread = Math.random();
  for (const field of fields) {
    const clock: FieldClock = { lastGood: now };
    setTtl(clock, refresher.provenance.get(field)!.ttlSeconds, now, jitter, spread);
    state.clocks.set(field, clock);
  }
  if (intervalMs !== undefined) state.sweepDue = now + intervalMs * intervalFactor(jitter, spread);
  else if (fields.every((field) => state.clocks.get(field)!.ttlDue === undefined)) {
    refresher.warn("refresh is on without intervalMs, and no refreshed field came with a TTL, so nothing will refresh on its own: set refresh.intervalMs or call refreshNow()");
  }
  running.set(refresher.secrets, state);
  schedule(state);
  const mounted = fields.filter((field) => refresher.provenance.get(field)!.source === "kubernetes");
  if (refresher.k8sDir && mounted.length > 0) {
    state.mountWatch = watchMountSwaps(refresher.k8sDir, () => void refreshFields(state, new Set(mounted)));
  }
}

/** Run `handler` after `field` changes on a refresh; returns a function that unsubscribes. */
export function onChange(secrets: object, field: string, handler: ChangeHandler): () => void {
  const state = runningFor(secrets, "onChange()");
  if (!state.provenance.has(field)) throw new ConfigError(`onChange(): there is no field "${field}" in this secrets object: use one of its keys`);
  if (!state.clocks.has(field)) throw new ConfigError(`onChange(): the field ${field} is not refreshed, so it never changes: add it to the refresh fields option`);
  const set = state.handlers.get(field) ?? new Set();
  set.add(handler);
  state.handlers.set(field, set);
  return () => void set.delete(handler);
}

/** Refresh every refreshed field now; resolves when the refresh has been applied. */
export function refreshNow(secrets: object): Promise<void> {
  const state = runningFor(secrets, "refreshNow()");
  return refreshFields(state, new Set(state.fields));
}

/** Stop refreshing and release the providers' clients (built-in Vault revokes the leases it holds); a no-op for objects loaded without refresh. */
export async function close(secrets: object): Promise<void> {
  const state = running.get(secrets);
  if (!state || state.closed) return;
  state.closed = true;
  clearTimeout(state.timer);
  state.mountWatch?.close();
  await state.inFlight?.done;
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

/**
 * A pass over `fields`. A pass already in flight that covers them is shared; otherwise this one
 * runs after it, so passes never overlap. Each pass re-arms the timer when it ends.
 */
function refreshFields(state: Running, fields: ReadonlySet<string>): Promise<void> {
  const current = state.inFlight;
  if (current && [...fields].every((field) => current.fields.has(field))) return current.done;
  const done: Promise<void> = (current?.done ?? Promise.resolve())
    .then(() => refreshOnce(state, fields))
    .finally(() => {
      if (state.inFlight?.done === done) state.inFlight = undefined;
      schedule(state);
    });
  state.inFlight = { fields, done };
  return done;
}

/** (Re-)arm the one timer for whatever is due first. */
function schedule(state: Running): void {
  clearTimeout(state.timer);
  state.timer = undefined;
  if (state.closed) return;
  const due = Math.min(state.sweepDue ?? Infinity, ...[...state.clocks.values()].map((clock) => clock.ttlDue ?? Infinity));
  if (due === Infinity) return;
  state.timer = setTimeout(() => {
    state.timer = undefined;
    const fields = dueFields(state, Date.now());
    // Nothing due: a long wait taken in steps, or a refreshNow() got there first.
    if (fields.size === 0) schedule(state);
    else void refreshFields(state, fields);
  }, Math.min(MAX_TIMER_MS, Math.max(0, due - Date.now())));
  unref(state.timer);
}

/**
 * Every refreshed field when the interval is due; else the fields whose TTL wait is over, with
 * every field read from the same secret (refs equal but for #key): credentials read as one, such
 * as a Vault lease's username and password, change together.
 */
function dueFields(state: Running, now: number): ReadonlySet<string> {
  if (state.sweepDue !== undefined && state.sweepDue <= now) return new Set(state.fields);
  const due = new Set(state.fields.filter((field) => (state.clocks.get(field)!.ttlDue ?? Infinity) <= now));
  const secrets = new Set([...due].map((field) => secretOf(state.provenance.get(field)!)));
  secrets.delete(undefined);
  return new Set(state.fields.filter((field) => due.has(field) || secrets.has(secretOf(state.provenance.get(field)!))));
}

const secretOf = (provenance: Provenance): string | undefined =>
  provenance.source === "manager" ? provenance.where.replace(/#.*$/, "") : undefined;

async function refreshOnce(state: Running, fields: ReadonlySet<string>): Promise<void> {
  if (state.closed) return;
  const { intervalMs, jitter, maxStalenessMs } = state.refresh;
  // One draw per pass: fields refreshed together stay due together.
  const spread = Math.random();
  const started = performance.now();
  const startedAt = Date.now();
  if (intervalMs !== undefined && fields.size === state.fields.length) state.sweepDue = startedAt + intervalMs * intervalFactor(jitter, spread);
  // Until a field's result says otherwise (a new TTL), it is retried as a failure would be.
  for (const field of fields) retryLater(state.clocks.get(field)!, startedAt, jitter, spread);
  let report: LoadReport;
  try {
    report = await state.resolve(fields);
  } catch (error) {
    state.warn(`refreshing secrets failed (${isOwnError(error) ? (error as Error).message : withheldError(error)}); keeping the last good values.`);
    return;
  }
  if (state.closed) return;
  const durationMs = performance.now() - started;
  const now = Date.now();
  for (const result of report.results) {
    const clock = state.clocks.get(result.field);
    if (!clock) continue;
    if (!result.ok) {
      const age = now - clock.lastGood;
      const stale = age > maxStalenessMs;
      publishAudit({ phase: "refresh", field: result.field, outcome: stale ? "stale" : "failed", message: result.failure.message, durationMs });
      state.warn(stale
        ? `${result.field} could not be refreshed for ${Math.round(age / 1000)} s, past maxStalenessMs; still serving the last good value: ${result.failure.message}`
        : `${result.field} could not be refreshed; keeping the last good value: ${result.failure.message}`);
      continue;
    }
    clock.lastGood = now;
    const { field, value, provenance } = result;
    setTtl(clock, provenance.ttlSeconds, now, jitter, spread);
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
        state.warn(`an onChange handler for ${field} threw ${withheldName(error)}; the new value is in place.`);
      }
    }
  }
}

/** intervalMs × (1 ± jitter). */
const intervalFactor = (jitter: number, spread: number): number => 1 + jitter * (2 * spread - 1);

/** A TTL wait of `ms` less up to `jitter` of it: jitter never pushes a refresh past the end of a TTL. */
const ttlWait = (ms: number, jitter: number, spread: number): number => Math.max(MIN_TTL_WAIT_MS, ms * TTL_FRACTION * (1 - jitter * spread));

/** A good value just came with `ttlSeconds` (or none): refresh it at about 2/3 of that. */
function setTtl(clock: FieldClock, ttlSeconds: number | undefined, now: number, jitter: number, spread: number): void {
  if (ttlSeconds === undefined || !(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) {
    clock.ttlMs = clock.expiresAt = clock.ttlDue = undefined;
    return;
  }
  clock.ttlMs = ttlSeconds * 1000;
  clock.expiresAt = now + clock.ttlMs;
  clock.ttlDue = now + ttlWait(clock.ttlMs, jitter, spread);
}

/** A refresh of a field with a TTL failed: try again at 2/3 of the time its value has left, or of a whole TTL once it has run out. */
function retryLater(clock: FieldClock, now: number, jitter: number, spread: number): void {
  if (clock.ttlMs === undefined || clock.expiresAt === undefined) return;
  const left = clock.expiresAt - now;
  clock.ttlDue = now + ttlWait(left > 0 ? left : clock.ttlMs, jitter, spread);
}

/** Node timers have unref(); Deno's are numbers unref'd through Deno.unrefTimer. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "object" && timer !== null && "unref" in timer) timer.unref();
  else (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno?.unrefTimer(timer as unknown as number);
}
