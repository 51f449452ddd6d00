/**
 * Fault matrix (issue 7, "Prove it"): every provider × every fault, driven through loadSecrets —
 * the whole runtime: provider, start-up deadline, production policy, env fallback — in production
 * and in development, each with KEY set in env as a fallback. For each cell it asserts:
 *  (a) the classification (missing / denied / unavailable / invalid) and what each mode does with it:
 *      missing moves on to env in both modes, silently; an error fails closed in production (never
 *      using the env value) and in development warns and uses the env value;
 *  (b) how many secret-read requests the server saw: transient faults retried a bounded number of
 *      times, the others exactly once (logins, mount discovery and token calls are not faulted);
 *  (c) that the load settles, and for hang/latency that the message says the deadline/time-out hit.
 * The table goes to the test output and bench/results/fault-matrix.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { loadSecrets, provenance, SecretsLoadError } from "../../src/runtime/index.ts";
import { expectNoSentinel, SENTINEL } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";
import {
  FAULTS, LATENCY_MS, startAwsHarness, startAzureHarness, startGcpHarness, startVaultHarness,
  type FaultName, type Harness, type ProviderName,
} from "./fault-harness.ts";

/** Start-up deadline of every load. */
const DEADLINE_MS = 1_500;
/** Per-request timeout for the latency cases, where the provider has one (Vault, GCP). */
const REQUEST_TIMEOUT_MS = 150;
const FALLBACK = `env-fallback-${SENTINEL}-value`;
const PROVIDERS: readonly ProviderName[] = ["vault", "aws-sm", "gcp-sm", "azure-kv"];
const MODES = ["production", "development"] as const;
type Mode = (typeof MODES)[number];
type Kind = "missing" | "denied" | "unavailable" | "invalid";

/** Attempts (including the first) each provider makes on a transient fault, per its documented defaults. */
const MAX_ATTEMPTS: Record<ProviderName, number> = {
  vault: 3, // retry.attempts, default 3 (runtime retry())
  "aws-sm": 3, // maxAttempts, default 3 (runtime retry(); the SDK's own retry is off)
  "gcp-sm": 4, // attempts, default 4 (runtime retry(); google-gax retry is off)
  "azure-kv": 4, // the Azure SDK's retry: maxRetries 3 + the first
};

/** Vault has no throttling shape of its own besides 429. */
const NOT_APPLICABLE = new Set(["vault/throttled"]);
/**
 * Cells left out until a src bug is fixed (never skipped to hide a failure; see the lead's report):
 * azure-kv/429 — a 429 without Retry-After is classified "unavailable" but made only 1 attempt: the
 * provider relies on the Azure SDK's retry (src/providers/azure-kv.ts, retryOptions in connect()), whose
 * exponential strategy retries only 408/5xx and whose throttling strategy needs Retry-After, so this
 * throttling answer is never retried, unlike 429 on every other provider and unlike issue 7's policy.
 */
const KNOWN_BUGS = new Map<string, string>();

interface Expected {
  readonly kind: Kind;
  /** Secret-read requests per load: exact, or an inclusive range where scheduling may cut the last retry. */
  readonly attempts: number | readonly [min: number, max: number];
  readonly why?: string;
}

/** What each cell must show. Transient faults: every documented attempt (small back-offs fit the deadline). */
function expected(provider: ProviderName, fault: FaultName): Expected {
  const max = MAX_ATTEMPTS[provider];
  const transient: Expected = { kind: "unavailable", attempts: max };
  switch (fault) {
    case "latency":
      // With a per-request timeout every attempt times out and is retried (all of them fit the deadline, but on a
      // loaded machine the deadline may cut the last one); without one the deadline ends the only attempt.
      return provider === "vault" || provider === "gcp-sm"
        ? { kind: "unavailable", attempts: [2, max], why: `${REQUEST_TIMEOUT_MS} ms per-request timeout` }
        : { kind: "unavailable", attempts: 1, why: "no per-request timeout: the deadline ends it" };
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
  readonly fault: FaultName;
  readonly shape: string;
  readonly production?: Observed;
  readonly development?: Observed;
  readonly note?: string;
}

const dir = tempDir("fault-matrix-");
const harnesses = {} as Record<ProviderName, Harness>;
const rows: Row[] = [];
/** Every warning, error message and failure JSON the loads produced, scanned for the sentinel at the end. */
const said: string[] = [];

const slug = (fault: FaultName): string => fault.replace(/[^a-z0-9]+/g, "-");
const caseId = (fault: FaultName, mode: Mode): string => `${slug(fault)}-${mode === "production" ? "p" : "d"}`;
const kindIn = (text: string): Kind | undefined => /failed \((denied|unavailable|invalid): /.exec(text)?.[1] as Kind | undefined;

beforeAll(async () => {
  const started = await Promise.all([startVaultHarness(), startAwsHarness(), startGcpHarness(dir), startAzureHarness()]);
  for (const harness of started) {
    harnesses[harness.name] = harness;
    for (const fault of FAULTS) for (const mode of MODES) harness.seed(caseId(fault, mode));
  }
});

afterAll(async () => {
  await Promise.all(Object.values(harnesses).map((h) => h.close()));
  if (rows.length === 0) return;
  const table = renderTable();
  console.log(`\nFault matrix (start-up deadline ${DEADLINE_MS} ms, env fallback set)\n\n${table}`);
  const out = join(fileURLToPath(new URL("../../bench/results/", import.meta.url)));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "fault-matrix.md"), `${header()}\n${table}\n`);
});

/** Load the one-field schema with the fault active on the secret's read only; returns what happened. */
async function runCase(harness: Harness, fault: FaultName, mode: Mode): Promise<Observed> {
  const id = caseId(fault, mode);
  const ref = harness.ref(id);
  const shape = harness.fault(fault)!;
  const schema = defineSecrets({ KEY: secret(z.string(), { from: ref }) });
  const base = harness.loadOptions(fault === "latency" ? { requestTimeoutMs: REQUEST_TIMEOUT_MS } : {});
  const warnings: string[] = [];
  const before = harness.reads(id);
  harness.faults.add(shape.fault, { match: harness.match(id) });
  let result: { ok: true; secrets: { KEY: string } } | { ok: false; error: unknown };
  try {
    result = await loadSecrets<{ KEY: string }>(schema, {
      env: { ...base.env, KEY: FALLBACK },
      providers: base.providers,
      production: mode === "production",
      timeoutMs: DEADLINE_MS,
      cwd: dir,
      dockerDir: join(dir, "no-docker-secrets"),
      onWarning: (message) => void warnings.push(message),
    }).then((secrets) => ({ ok: true as const, secrets }), (error: unknown) => ({ ok: false as const, error }));
  } finally {
    harness.faults.clear();
    await Promise.allSettled(base.providers.map((p) => p.close?.()));
  }
  const attempts = harness.reads(id) - before;
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

    const production = await runCase(harness, fault, "production");
    const development = await runCase(harness, fault, "development");
    rows.push({ provider, fault, shape: shape.note, production, development, ...(want.why ? { note: want.why } : {}) });
    const ref = harness.ref(caseId(fault, "production")).replace(/[/.?#]/g, "\\$&");
    const refDev = harness.ref(caseId(fault, "development")).replace(/[/.?#]/g, "\\$&");

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

    // (b) attempts the server saw for the secret's read, identical in both modes.
    const [min, max] = typeof want.attempts === "number" ? [want.attempts, want.attempts] : want.attempts;
    for (const [mode, observed] of [["production", production], ["development", development]] as const) {
      expect(observed.attempts, `${provider} ${fault} attempts in ${mode}`).toBeGreaterThanOrEqual(min);
      expect(observed.attempts, `${provider} ${fault} attempts in ${mode}`).toBeLessThanOrEqual(max);
    }
    // Transient faults are retried, boundedly; a slow manager without a per-request timeout gets one attempt the deadline ends.
    if (want.kind === "unavailable" && fault !== "hang" && !(fault === "latency" && !harness.hasRequestTimeout)) {
      expect(min).toBeGreaterThan(1);
    }
    expect(max).toBeLessThanOrEqual(MAX_ATTEMPTS[provider]);

    // (c) the load settled (we are here); a slow manager is reported as a deadline / time-out.
    if (fault === "hang" || fault === "latency") {
      for (const observed of [production, development]) expect(observed.message).toMatch(/deadline|in time|timed out/i);
    }
  }, 20_000);
});

it("no warning, error, failure JSON or table cell contains a sentinel secret", () => {
  expect(rows.length, "every applicable cell ran").toBe(PROVIDERS.length * FAULTS.length - NOT_APPLICABLE.size - KNOWN_BUGS.size);
  expect(said.length).toBeGreaterThan(0);
  expectNoSentinel(...said, renderTable());
});

function header(): string {
  return [
    "# Fault matrix",
    "",
    `Generated by \`npx vitest run test/reliability/fault-matrix.test.ts\`. Each cell loads one field`,
    `\`KEY: secret(z.string(), { from: "<scheme>://..." })\` through \`loadSecrets\` with a ${DEADLINE_MS} ms start-up deadline,`,
    `KEY also set in env, the fault injected on the secret's read only (logins and token calls are not faulted).`,
    `Latency is +${LATENCY_MS} ms per request; Vault and GCP run that case with a ${REQUEST_TIMEOUT_MS} ms per-request timeout.`,
    "Attempts = secret-read requests the test server saw per load (production / development when they differ).",
    "",
  ].join("\n");
}

function renderTable(): string {
  const order = (row: Row) => PROVIDERS.indexOf(row.provider) * 100 + FAULTS.indexOf(row.fault);
  const lines = [
    "| provider | fault | on the wire | classification | attempts | production | development |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const row of [...rows].sort((a, b) => order(a) - order(b))) {
    const [p, d] = [row.production?.attempts ?? "?", row.development?.attempts ?? "?"];
    const attempts = `${p === d ? p : `${p} / ${d}`}${row.note ? ` (${row.note})` : ""}`;
    lines.push(`| ${row.provider} | ${row.fault} | ${row.shape} | ${row.production?.kind ?? "?"} | ${attempts} | ${row.production?.outcome ?? "?"} | ${row.development?.outcome ?? "?"} |`);
  }
  const footnotes = [
    ...[...NOT_APPLICABLE].map((cell) => `- ${cell}: not applicable (the service's throttling answer is the 429 row).`),
    ...[...KNOWN_BUGS].map(([cell, bug]) => `- ${cell}: left out of the matrix until fixed — ${bug}.`),
  ];
  return [...lines, "", ...footnotes].join("\n");
}
