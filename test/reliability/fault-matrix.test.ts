/**
 * Fault matrix (issue 7, "Prove it"): every provider × every fault, driven through loadSecrets —
 * the whole runtime: provider, start-up deadline, production policy, env fallback — in production
 * and in development, each with KEY set in env as a fallback. For each cell it asserts:
 *  (a) the classification (missing / denied / unavailable / invalid) and what each mode does with it:
 *      missing moves on to env in both modes, silently; an error fails closed in production (never
 *      using the env value) and in development warns and uses the env value;
 *  (b) how many secret-read requests the server saw: transient faults retried as the one runtime
 *      policy says (LoadOptions.retry, the same numbers for every provider), the others exactly once;
 *  (c) that the load settles, and for hang/latency that the message says the deadline/time-out hit.
 * A second matrix faults the logins and token calls instead (Vault AppRole / Kubernetes login, the
 * Azure token endpoint and bearer challenge) and counts requests to them. Neither matrix may show a
 * secret or credential in any output. The tables go to the test output and fault-matrix.md in RESULTS_DIR (test/helpers/results-dir.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { loadSecrets, provenance, SecretsLoadError } from "../../src/runtime/index.ts";
import { DEFAULT_RETRY_POLICY } from "../../src/runtime/policy.ts";
import type { Fault } from "../servers/faults.ts";
import { expectNoSentinel, SENTINEL } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";
import { RESULTS_DIR } from "../helpers/results-dir.ts";
import {
  AUTH_FAULTS, FAULTS, LATENCY_MS, startAwsHarness, startAzureHarness, startGcpHarness, startVaultHarness,
  type AuthEndpoint, type AuthFaultName, type FaultName, type Harness, type ProviderName,
} from "./fault-harness.ts";

/** Start-up deadline of every load. */
const DEADLINE_MS = 1_500;
/** Per-request timeout for the latency and auth-hang cases (otherwise the default, beyond the deadline). */
const REQUEST_TIMEOUT_MS = 150;
/** Small back-offs so every retry fits well inside the deadline; the attempt count is the default policy's. */
const RETRY = { baseDelayMs: 10, maxDelayMs: 40 } as const;
/** Attempts (the first included) every provider makes on a transient fault: the runtime policy's default. */
const ATTEMPTS = DEFAULT_RETRY_POLICY.attempts;
const FALLBACK = `env-fallback-${SENTINEL}-value`;
const PROVIDERS: readonly ProviderName[] = ["vault", "aws-sm", "gcp-sm", "azure-kv"];
const MODES = ["production", "development"] as const;
type Mode = (typeof MODES)[number];
type Kind = "missing" | "denied" | "unavailable" | "invalid";


/** Vault has no throttling shape of its own besides 429. */
const NOT_APPLICABLE = new Set(["vault/throttled"]);
/** Cells left out until a src bug is fixed (never skipped to hide a failure); none at present. */
const KNOWN_BUGS = new Map<string, string>();

interface Expected {
  readonly kind: Kind;
  /** Secret-read requests per load: exact, or an inclusive range where scheduling may cut the last retry. */
  readonly attempts: number | readonly [min: number, max: number];
  readonly why?: string;
}

/** What each cell must show. Transient faults: every documented attempt (small back-offs fit the deadline). */
function expected(provider: ProviderName, fault: FaultName): Expected {
  const transient: Expected = { kind: "unavailable", attempts: ATTEMPTS };
  switch (fault) {
    case "latency":
      // Every attempt times out and is retried (all of them fit the deadline, but on a loaded machine the deadline may cut the last one).
      return timedOut;
    case "hang":
      return { kind: "unavailable", attempts: 1, why: "the start-up deadline ends the first attempt" };
    case "reset": case "500": case "503": case "429": case "throttled":
      return transient;
    case "malformed":
      return { kind: "invalid", attempts: 1 };
    case "403":
      // AWS: BatchGetSecretValue denied → GetSecretValue for the secret (by design, aws-sm/fetch.ts), also denied.
      return { kind: "denied", attempts: provider === "aws-sm" ? 2 : 1, ...(provider === "aws-sm" ? { why: "batch denied → one GetSecretValue" } : {}) };
    case "404":
      return { kind: "missing", attempts: 1 };
    case "sealed/disabled":
      if (provider === "vault") return transient; // 503 sealed is transient
      // AWS: InvalidRequestException on the batch → one GetSecretValue (by design), also refused.
      if (provider === "aws-sm") return { kind: "invalid", attempts: 2, why: "batch refused → one GetSecretValue" };
      return { kind: "missing", attempts: 1 }; // a disabled version / secret is "not found", so the chain moves on
  }
}

/** A request that never answers, with a per-request timeout well inside the deadline. */
const timedOut: Expected = { kind: "unavailable", attempts: [2, ATTEMPTS], why: `${REQUEST_TIMEOUT_MS} ms per-request timeout, retried` };

/**
 * Logins and token calls: outages are retried like reads, refusals are "denied" and never retried.
 * The Azure token endpoint is the exception on the wire (retries happen, but the SDK ends them without a request).
 */
function expectedAuth(fault: AuthFaultName, endpoint: string): Expected {
  const azureToken = endpoint.startsWith("token endpoint");
  if (fault === "hang") {
    return azureToken ? { kind: "unavailable", attempts: 1, why: "retries join the SDK's one token request in flight (core-rest-pipeline token cycler)" } : timedOut;
  }
  if (azureToken && (fault === "500" || fault === "503")) {
    return { kind: "unavailable", attempts: 1, why: "msal-node throttles the token endpoint for 60 s after a 5xx without Retry-After: retries end in MSAL" };
  }
  if (fault === "reset" || fault === "500" || fault === "503") return { kind: "unavailable", attempts: ATTEMPTS };
  return { kind: "denied", attempts: 1 };
}

interface Observed {
  readonly kind: Kind;
  readonly attempts: number;
  /** What the mode did, value-free. */
  readonly outcome: string;
  /** The message naming the fault (error in production, warning in development), if any. */
  readonly message?: string;
}

interface Row {
  readonly provider: ProviderName;
  readonly fault: FaultName | AuthFaultName;
  /** For the auth matrix: which login or token call. */
  readonly endpoint?: string;
  readonly shape: string;
  readonly production?: Observed;
  readonly development?: Observed;
  readonly note?: string;
}

const dir = tempDir("fault-matrix-");
const harnesses = {} as Record<ProviderName, Harness>;
const rows: Row[] = [];
const authRows: Row[] = [];
/** Every warning, error message and failure JSON the loads produced, scanned for the sentinel at the end. */
const said: string[] = [];

const slug = (fault: string): string => fault.replace(/[^a-z0-9]+/g, "-");
const caseId = (fault: string, mode: Mode): string => `${slug(fault)}-${mode === "production" ? "p" : "d"}`;
/** The secret every auth case reads (the challenge endpoint names its own). */
const AUTH_ID = "auth";
const authId = (endpoint: AuthEndpoint): string => (typeof endpoint.match !== "string" && endpoint.match.source.includes("auth-challenge") ? "auth-challenge" : AUTH_ID);
const kindIn = (text: string): Kind | undefined => /failed \((denied|unavailable|invalid): /.exec(text)?.[1] as Kind | undefined;

beforeAll(async () => {
  const started = await Promise.all([startVaultHarness(dir), startAwsHarness(), startGcpHarness(dir), startAzureHarness()]);
  for (const harness of started) {
    harnesses[harness.name] = harness;
    for (const fault of FAULTS) for (const mode of MODES) harness.seed(caseId(fault, mode));
    harness.seed(AUTH_ID);
    if (harness.auth.some((endpoint) => authId(endpoint) !== AUTH_ID)) harness.seed("auth-challenge");
  }
});

afterAll(async () => {
  await Promise.all(Object.values(harnesses).map((h) => h.close()));
  if (rows.length === 0) return;
  const table = renderTable();
  const authTable = renderAuthTable();
  console.log(`\nFault matrix (start-up deadline ${DEADLINE_MS} ms, env fallback set)\n\n${table}\n\n${authTable}`);
  const out = RESULTS_DIR;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "fault-matrix.md"), `${header()}\n${table}\n\n${authHeader()}\n${authTable}\n`);
});

interface Case {
  readonly harness: Harness;
  readonly ref: string;
  readonly fault: Fault;
  readonly match: string | RegExp;
  readonly when?: AuthEndpoint["when"];
  /** Requests to the faulted endpoint so far. */
  readonly count: () => number;
  readonly base: { env: Record<string, string>; providers: import("../../src/providers/types.ts").Provider[] };
  readonly requestTimeoutMs?: number;
  readonly mode: Mode;
}

/** Load the one-field schema with the fault active on one endpoint only; returns what happened. */
async function runCase({ harness, ref, fault, match, when, count, base, requestTimeoutMs, mode }: Case): Promise<Observed> {
  const schema = defineSecrets({ KEY: secret(z.string(), { from: ref }) });
  const warnings: string[] = [];
  const before = count();
  harness.faults.add(fault, { match, ...(when ? { when } : {}) });
  let result: { ok: true; secrets: { KEY: string } } | { ok: false; error: unknown };
  try {
    result = await loadSecrets<{ KEY: string }>(schema, {
      env: { ...base.env, KEY: FALLBACK },
      providers: base.providers,
      production: mode === "production",
      timeoutMs: DEADLINE_MS,
      retry: { ...RETRY, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) },
      cwd: dir,
      dockerDir: join(dir, "no-docker-secrets"),
      onWarning: (message) => void warnings.push(message),
    }).then((secrets) => ({ ok: true as const, secrets }), (error: unknown) => ({ ok: false as const, error }));
  } finally {
    harness.faults.clear();
    await Promise.allSettled(base.providers.map((p) => p.close?.()));
  }
  const attempts = count() - before;
  said.push(...warnings);
  const aboutKey = warnings.filter((w) => w.startsWith("KEY: "));

  if (!result.ok) {
    expect(result.error).toBeInstanceOf(SecretsLoadError);
    const error = result.error as SecretsLoadError;
    said.push(error.message, JSON.stringify(error.failures));
    const message = error.failures[0]!.message;
    const kind = kindIn(message);
    expect(kind, message).toBeDefined();
    return { kind: kind!, attempts, outcome: `fails closed (${kind})`, message };
  }
  const value = result.secrets.KEY;
  expect(value).toBe(FALLBACK);
  expect(provenance(result.secrets, "KEY")).toMatchObject({ source: "env", where: "env KEY" });
  said.push(JSON.stringify(result.secrets));
  if (aboutKey.length === 0) return { kind: "missing", attempts, outcome: "env fallback, silent" };
  expect(aboutKey).toHaveLength(1);
  const kind = kindIn(aboutKey[0]!);
  expect(kind, aboutKey[0]).toBeDefined();
  return { kind: kind!, attempts, outcome: `warns (${kind}), env fallback`, message: aboutKey[0]! };
}

describe.each(PROVIDERS)("%s", (provider) => {
  const faults = FAULTS.filter((fault) => !NOT_APPLICABLE.has(`${provider}/${fault}`) && !KNOWN_BUGS.has(`${provider}/${fault}`));

  it("healthy baseline: loads from the manager in production, within the deadline (also warms the SDK import)", async () => {
    const harness = harnesses[provider];
    const id = "healthy";
    harness.seed(id);
    const schema = defineSecrets({ KEY: secret(z.string(), { from: harness.ref(id) }) });
    const base = harness.loadOptions();
    const warnings: string[] = [];
    try {
      const secrets = await loadSecrets<{ KEY: string }>(schema, {
        env: { ...base.env, KEY: FALLBACK }, providers: base.providers, production: true, timeoutMs: DEADLINE_MS,
        cwd: dir, dockerDir: join(dir, "no-docker-secrets"), onWarning: (message) => void warnings.push(message),
      });
      expect(secrets.KEY).toContain(SENTINEL);
      expect(secrets.KEY).not.toBe(FALLBACK);
      expect(provenance(secrets, "KEY")).toMatchObject({ source: "manager", where: harness.ref(id) });
      expect(harness.reads(id)).toBeGreaterThanOrEqual(1);
      said.push(...warnings, JSON.stringify(secrets));
    } finally {
      await Promise.allSettled(base.providers.map((p) => p.close?.()));
    }
  }, 20_000);

  it.each(faults)("%s: classified, retried as documented, fail-closed in production, fall-through in development", async (fault) => {
    const harness = harnesses[provider];
    const want = expected(provider, fault);
    const shape = harness.fault(fault)!;
    expect(shape, `${provider} has a wire shape for ${fault}`).toBeDefined();

    const run = (mode: Mode) => {
      const id = caseId(fault, mode);
      return runCase({
        harness, ref: harness.ref(id), fault: shape.fault, match: harness.match(id), count: () => harness.reads(id), base: harness.loadOptions(), mode,
        ...(fault === "latency" ? { requestTimeoutMs: REQUEST_TIMEOUT_MS } : {}),
      });
    };
    const production = await run("production");
    const development = await run("development");
    rows.push({ provider, fault, shape: shape.note, production, development, ...(want.why ? { note: want.why } : {}) });
    checkCell(want, production, development, harness.ref(caseId(fault, "production")), harness.ref(caseId(fault, "development")));
    // Transient faults are retried, boundedly.
    if (want.kind === "unavailable" && fault !== "hang") expect(minOf(want)).toBeGreaterThan(1);
    // (c) the load settled (we are here); a slow manager is reported as a deadline / time-out.
    if (fault === "hang" || fault === "latency") {
      for (const observed of [production, development]) expect(observed.message).toMatch(/deadline|in time|timed out|timeout/i);
    }
  }, 20_000);
});

const minOf = (want: Expected): number => (typeof want.attempts === "number" ? want.attempts : want.attempts[0]);

/** (a) classification and what each mode does with it; (b) attempts, identical in both modes. */
function checkCell(want: Expected, production: Observed, development: Observed, refProduction: string, refDevelopment: string): void {
  {
    const ref = refProduction.replace(/[/.?#]/g, "\\$&");
    const refDev = refDevelopment.replace(/[/.?#]/g, "\\$&");

    // (a) classification and what each mode does with it.
    expect(production.kind).toBe(want.kind);
    expect(development.kind).toBe(want.kind);
    if (want.kind === "missing") {
      // "Not found moves on": env wins in both modes, with no warning about the field.
      expect(production.outcome).toBe("env fallback, silent");
      expect(development.outcome).toBe("env fallback, silent");
    } else {
      expect(production.message).toMatch(new RegExp(`^KEY: ${ref} failed \\(${want.kind}: .*\\); production does not fall back to other sources`));
      expect(production.message).not.toContain(FALLBACK);
      expect(development.message).toMatch(new RegExp(`^KEY: ${refDev} failed \\(${want.kind}: .*\\); trying the next source because this is not production\\.$`));
    }

    // (b) attempts the server saw on the faulted endpoint, identical in both modes, never beyond the policy's.
    const [min, max] = typeof want.attempts === "number" ? [want.attempts, want.attempts] : want.attempts;
    for (const [mode, observed] of [["production", production], ["development", development]] as const) {
      expect(observed.attempts, `attempts in ${mode}`).toBeGreaterThanOrEqual(min);
      expect(observed.attempts, `attempts in ${mode}`).toBeLessThanOrEqual(max);
    }
    expect(max).toBeLessThanOrEqual(ATTEMPTS);
  }
}

describe.each(PROVIDERS.filter((provider) => provider === "vault" || provider === "azure-kv"))("%s logins and token calls", (provider) => {
  // The endpoints are known only once the harness is up; list them statically by name.
  const names = provider === "vault" ? ["AppRole login", "Kubernetes login"] : ["token endpoint (client credentials)", "bearer challenge (first, unauthenticated request)"];

  it.each(names.flatMap((name) => AUTH_FAULTS.map((fault) => [name, fault] as const)))("%s, %s: classified, retried per the policy, fail-closed / fall-through", async (name, fault) => {
    const harness = harnesses[provider];
    const endpoint = harness.auth.find((e) => e.name === name)!;
    const shape = endpoint.fault(fault);
    if (!shape) return; // not an answer this endpoint gives (listed in the table's notes)
    const want = expectedAuth(fault, name);
    const ref = harness.ref(authId(endpoint));
    const run = (mode: Mode) => runCase({
      harness, ref, fault: shape.fault, match: endpoint.match, ...(endpoint.when ? { when: endpoint.when } : {}), count: () => endpoint.requests(),
      base: endpoint.loadOptions(), mode, ...(fault === "hang" ? { requestTimeoutMs: REQUEST_TIMEOUT_MS } : {}),
    });
    const production = await run("production");
    const development = await run("development");
    authRows.push({ provider, endpoint: name, fault, shape: shape.note, production, development, ...(want.why ? { note: want.why } : {}) });
    checkCell(want, production, development, ref, ref);
  }, 20_000);
});

it("no warning, error, failure JSON or table cell contains a secret, credential or token", () => {
  expect(rows.length, "every applicable cell ran").toBe(PROVIDERS.length * FAULTS.length - NOT_APPLICABLE.size - KNOWN_BUGS.size);
  expect(authRows.length, "every applicable auth cell ran").toBeGreaterThan(0);
  expect(said.length).toBeGreaterThan(0);
  const everything = [...said, renderTable(), renderAuthTable()];
  expectNoSentinel(...everything);
  const credentials = Object.values(harnesses).flatMap((harness) => harness.credentials());
  for (const text of everything) {
    for (const credential of credentials) expect(text.includes(credential), "a credential leaked").toBe(false);
    expect(text).not.toMatch(/hvs\.[0-9a-f]{32}|PRIVATE KEY|client_secret|assertion=/);
  }
});

function header(): string {
  return [
    "# Fault matrix",
    "",
    `Generated by \`npx vitest run test/reliability/fault-matrix.test.ts\`. Each cell loads one field`,
    `\`KEY: secret(z.string(), { from: "<scheme>://..." })\` through \`loadSecrets\` with a ${DEADLINE_MS} ms start-up deadline,`,
    `KEY also set in env, the fault injected on the secret's read only (logins and token calls are faulted in the second table).`,
    `Every provider runs with the one runtime retry policy: ${ATTEMPTS} attempts (the default), back-off ${RETRY.baseDelayMs} ms doubling up to ${RETRY.maxDelayMs} ms with full jitter;`,
    `latency is +${LATENCY_MS} ms per request, run with a ${REQUEST_TIMEOUT_MS} ms per-request timeout (otherwise the default, beyond the deadline).`,
    "Attempts = secret-read requests the test server saw per load (production / development when they differ).",
    "",
  ].join("\n");
}

function authHeader(): string {
  return [
    "## Logins and token calls",
    "",
    "The same loads with the fault injected on a login or token call instead (a fresh provider per load, so nothing is cached).",
    `Hang runs with a ${REQUEST_TIMEOUT_MS} ms per-request timeout. Attempts = requests the test server saw on that endpoint per load.`,
    "- aws-sm: static access keys sign every request (SigV4); there is no login or token call to fault.",
    "- gcp-sm: with a service-account key file the SDK signs its own JWT (self-signed JWT access), so there is no token-endpoint call to fault.",
    "",
  ].join("\n");
}

function renderAuthTable(): string {
  const lines = [
    "| provider | endpoint | fault | on the wire | classification | attempts | production | development |",
    "|---|---|---|---|---|---|---|---|",
  ];
  const key = (row: Row) => [PROVIDERS.indexOf(row.provider), row.endpoint!, AUTH_FAULTS.indexOf(row.fault as AuthFaultName)] as const;
  const sorted = [...authRows].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1].localeCompare(y[1]) || x[2] - y[2];
  });
  for (const row of sorted) {
    lines.push(`| ${row.provider} | ${row.endpoint} | ${row.fault} | ${row.shape} | ${row.production?.kind ?? "?"} | ${attemptsCell(row)} | ${row.production?.outcome ?? "?"} | ${row.development?.outcome ?? "?"} |`);
  }
  return [...lines, "", "- azure-kv bearer challenge, 400: not an answer Key Vault gives an unauthenticated GET."].join("\n");
}

function attemptsCell(row: Row): string {
  const [p, d] = [row.production?.attempts ?? "?", row.development?.attempts ?? "?"];
  return `${p === d ? p : `${p} / ${d}`}${row.note ? ` (${row.note})` : ""}`;
}

function renderTable(): string {
  const order = (row: Row) => PROVIDERS.indexOf(row.provider) * 100 + FAULTS.indexOf(row.fault as FaultName);
  const lines = [
    "| provider | fault | on the wire | classification | attempts | production | development |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const row of [...rows].sort((a, b) => order(a) - order(b))) {
    lines.push(`| ${row.provider} | ${row.fault} | ${row.shape} | ${row.production?.kind ?? "?"} | ${attemptsCell(row)} | ${row.production?.outcome ?? "?"} | ${row.development?.outcome ?? "?"} |`);
  }
  const footnotes = [
    ...[...NOT_APPLICABLE].map((cell) => `- ${cell}: not applicable (the service's throttling answer is the 429 row).`),
    ...[...KNOWN_BUGS].map(([cell, bug]) => `- ${cell}: left out of the matrix until fixed — ${bug}.`),
  ];
  return [...lines, "", ...footnotes].join("\n");
}
