import process from "node:process";
import type { Provider } from "../providers/types.ts";
import { ConfigError } from "./errors.ts";
import { DEFAULT_MAX_ANSWER_BYTES, retryPolicy, type RetryPolicy, type RetryPolicyOptions } from "./policy.ts";
import { requestLimits, type RequestLimits } from "./rate-limit.ts";

export interface LoadOptions {
  /** Environment to read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Force production (true) or development (false) rules; default from NODE_ENV / SECRETS_ENV. */
  readonly production?: boolean;
  /** Docker secrets directory; default SECRETS_DOCKER_DIR, else /run/secrets. */
  readonly dockerDir?: string;
  /** Kubernetes mounted-secret directory; default SECRETS_K8S_DIR, else none. */
  readonly k8sDir?: string;
  /** Extra directories `<NAME>_FILE` paths may point into, besides the Docker and Kubernetes directories and cwd. */
  readonly fileRoots?: readonly string[];
  /** Working directory for relative `<NAME>_FILE` paths; default process.cwd(). */
  readonly cwd?: string;
  /** Largest secret file accepted; default 1 MiB (the Kubernetes Secret limit). */
  readonly maxFileBytes?: number;
  /** Largest answer read from an external manager (one HTTP/gRPC response); default 512 KiB. A bigger one is stopped mid-download and fails the field. */
  readonly maxAnswerBytes?: number;
  /** Providers for ref schemes: custom ones, or built-ins configured explicitly. They win over built-ins. */
  readonly providers?: readonly Provider[];
  /** Read .env, .env.local, .env.<mode> and .env.<mode>.local from cwd; default SECRETS_DOTENV, else on outside production. */
  readonly dotenv?: boolean;
  /** Start-up deadline for the external managers, and for each local file read; default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Retries and per-request time-out of every provider's requests; defaults in runtime/policy.ts (3 attempts, 200 ms → 2 s back-off, 3 s per request). */
  readonly retry?: RetryPolicyOptions;
  /** Per provider instance: requests in flight (default 32) and requests per second (default unlimited). */
  readonly limits?: RequestLimits;
  /** Keep values current in a long-running process (see RefreshOptions); default SECRETS_REFRESH_INTERVAL_MS, else off. */
  readonly refresh?: RefreshOptions;
  /** Where value-free warnings go; default console.warn. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Refresh re-resolves fields through the whole chain. A field whose source gives a TTL (a Vault
 * lease, an expiry) is refreshed at about 2/3 of it, sooner than intervalMs when need be; with no
 * intervalMs (`refresh: {}`), only such fields are refreshed.
 */
export interface RefreshOptions {
  /** Refresh every intervalMs × (1 ± jitter) as well; default none (TTL-driven only). */
  readonly intervalMs?: number;
  /** Spreads the waits (intervals ± jitter, TTL waits − up to jitter) so a fleet does not refresh in step; default 0.1. */
  readonly jitter?: number;
  /** After a field has failed to refresh for this long, each failure is reported as stale; default 1 h. */
  readonly maxStalenessMs?: number;
  /** Refresh only these fields; the others keep their start-up value. Default every field. */
  readonly fields?: readonly string[];
}

export interface RefreshSettings {
  readonly intervalMs: number | undefined;
  readonly jitter: number;
  readonly maxStalenessMs: number;
  /** Undefined: every field. */
  readonly fields: ReadonlySet<string> | undefined;
}

export interface Settings {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly production: boolean;
  /** SECRETS_ENV, else NODE_ENV, else "development": picks the .env.<mode> files. */
  readonly mode: string;
  readonly dotenv: boolean;
  readonly dockerDir: string;
  readonly k8sDir: string | undefined;
  readonly fileRoots: readonly string[];
  readonly cwd: string;
  readonly maxFileBytes: number;
  readonly maxAnswerBytes: number;
  readonly providers: readonly Provider[];
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly limits: Required<RequestLimits>;
  readonly refresh: RefreshSettings | undefined;
  readonly warn: (message: string) => void;
}

export const DEFAULT_DOCKER_DIR = "/run/secrets";
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;
const SECRETS_ENV_VALUES = ["production", "development", "test"];

export function resolveSettings(options: LoadOptions = {}): Settings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const dockerDir = options.dockerDir ?? (env.SECRETS_DOCKER_DIR || DEFAULT_DOCKER_DIR);
  const k8sDir = options.k8sDir ?? (env.SECRETS_K8S_DIR || undefined);
  const production = isProduction(env, options.production);
  const warn = options.onWarning ?? ((message: string) => console.warn(`secrets-gen: ${message}`));
  const nearMiss = options.production === undefined && !env.SECRETS_ENV ? nodeEnvNearMiss(env.NODE_ENV) : undefined;
  if (nearMiss !== undefined) {
    warn(`NODE_ENV is ${JSON.stringify(nearMiss)}, which is not exactly "production", so development rules apply (dev defaults, .env files, fall-through on manager errors): set NODE_ENV=production or SECRETS_ENV=production, or NODE_ENV=development to silence this`);
  }
  return {
    env,
    production,
    mode: env.SECRETS_ENV || env.NODE_ENV || "development",
    // Production reads .env files only when asked: they are a development convenience.
    dotenv: options.dotenv ?? (env.SECRETS_DOTENV ? flag("SECRETS_DOTENV", env.SECRETS_DOTENV) : !production),
    dockerDir,
    k8sDir,
    fileRoots: [dockerDir, ...(k8sDir ? [k8sDir] : []), cwd, ...(options.fileRoots ?? [])],
    cwd,
    maxFileBytes: positive("maxFileBytes", options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES),
    maxAnswerBytes: positive("maxAnswerBytes", options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES),
    providers: options.providers ?? [],
    timeoutMs: positive("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    retry: retryPolicy(options.retry),
    limits: requestLimits(options.limits),
    refresh: refreshSettings(options.refresh ?? (env.SECRETS_REFRESH_INTERVAL_MS ? { intervalMs: Number(env.SECRETS_REFRESH_INTERVAL_MS) } : undefined)),
    warn,
  };
}

/**
 * The one production rule: the explicit option wins; otherwise production when NODE_ENV or
 * SECRETS_ENV says "production". An unknown SECRETS_ENV is refused, so a typo such as "prod"
 * cannot quietly turn on dev defaults.
 */
export function isProduction(env: Readonly<Record<string, string | undefined>>, explicit?: boolean): boolean {
  if (explicit !== undefined) return explicit;
  const secretsEnv = env.SECRETS_ENV;
  if (secretsEnv && !SECRETS_ENV_VALUES.includes(secretsEnv)) {
    throw new ConfigError(`SECRETS_ENV is "${secretsEnv}", which secrets-gen does not know: set it to production, development or test`);
  }
  return env.NODE_ENV === "production" || secretsEnv === "production";
}

/**
 * A NODE_ENV that looks meant as production ("prod", "Production", "production ") but is not the
 * exact word. Only warned about, not refused: NODE_ENV belongs to the whole app, and other tools
 * read it with their own rules.
 */
function nodeEnvNearMiss(nodeEnv: string | undefined): string | undefined {
  return nodeEnv !== undefined && nodeEnv !== "production" && /^\s*pro?d/i.test(nodeEnv) ? nodeEnv : undefined;
}

export const DEFAULT_MAX_STALENESS_MS = 60 * 60 * 1000;

function refreshSettings(refresh: RefreshOptions | undefined): RefreshSettings | undefined {
  if (refresh === undefined) return undefined;
  const jitter = refresh.jitter ?? 0.1;
  if (!(jitter >= 0 && jitter < 1)) throw new ConfigError(`the refresh jitter is ${jitter}: give a number from 0 up to (not including) 1`);
  const { fields } = refresh;
  if (fields !== undefined && (!Array.isArray(fields) || fields.length === 0 || !fields.every((name) => typeof name === "string"))) {
    throw new ConfigError("the refresh fields option must list field names, at least one: leave it out to refresh every field");
  }
  return {
    intervalMs: refresh.intervalMs === undefined ? undefined : positive("refresh intervalMs (SECRETS_REFRESH_INTERVAL_MS)", refresh.intervalMs),
    jitter,
    maxStalenessMs: positive("refresh maxStalenessMs", refresh.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS),
    fields: fields === undefined ? undefined : new Set(fields),
  };
}

/** Refuse refresh.fields naming fields the schema lacks, before anything is loaded. */
export function checkRefreshFields(refresh: RefreshSettings | undefined, fieldNames: readonly string[]): void {
  const unknown = [...(refresh?.fields ?? [])].filter((name) => !fieldNames.includes(name));
  if (unknown.length === 0) return;
  const listed = unknown.map((name) => JSON.stringify(name)).join(", ");
  throw new ConfigError(`the refresh fields option names ${listed}, which ${unknown.length === 1 ? "is not a field" : "are not fields"} of this schema: list only its fields (${fieldNames.join(", ")})`);
}

function flag(name: string, value: string): boolean {
  if (["1", "true", "yes"].includes(value)) return true;
  if (["0", "false", "no"].includes(value)) return false;
  throw new ConfigError(`${name} is "${value}": set it to true or false`);
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`the ${name} option is ${value}: give a positive number`);
  return value;
}
