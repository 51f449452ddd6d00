/**
 * remote.100fields4managers: loadSecrets on 100 fields spread over Vault, AWS, GCP and Azure (the
 * local test servers, 25 ms added to every request), against (a) the round-trip limit — the
 * sequential round trips each manager's protocol needs for one batch (ROUND_TRIPS), the largest of
 * them since the providers run side by side — and (b) fetching each field with its own request in
 * sequence, as hand-written clients do.
 */
import { z } from "zod";
import type { Provider, ResolveContext } from "../../src/providers/types.ts";
import { loadSecrets } from "../../src/runtime/index.ts";
import { defineSecrets, parseRef, secret } from "../../src/schema/index.ts";
import { startManagers, type Managers } from "../fixtures/managers.ts";
import type { BenchCase } from "../lib/result.ts";
import { median, ratio, round } from "../lib/stats.ts";

const KEY = "remote.100fields4managers";
const LATENCY_MS = 25;
/**
 * Sequential round trips per manager for one cold batch, at best: login where needed, any step the
 * protocol puts before the read, then every read side by side (or one batched read).
 */
const ROUND_TRIPS: Readonly<Record<string, number>> = {
  vault: 2, // the mount's KV version (sys/internal/ui/mounts), then the reads; token auth, no login
  "aws-sm": 1, // one BatchGetSecretValue; SigV4 signs locally, no login
  "gcp-sm": 1, // the reads; the access token is ready, as from a metadata server
  // The read without a token meets the 401 bearer challenge (it names the tenant and scope); then
  // MSAL's login: the OpenID metadata of this non-Microsoft authority host (built into MSAL for
  // login.microsoftonline.com), the token; then the reads.
  "azure-kv": 4,
};

export const remote: BenchCase = {
  name: KEY,
  async run({ quick }) {
    const perManager = quick ? 2 : 25;
    const rounds = quick ? 1 : 5;
    const managers = await startManagers(perManager, LATENCY_MS);
    try {
      const schema = schemaFor(managers);
      await loadAll(managers, schema); // warm-up: the SDK imports are a cold-start cost, measured in sdkLoad
      const batched: number[] = [];
      const batchedCpu: number[] = [];
      const sequential: number[] = [];
      for (let round = 0; round < rounds; round++) {
        // Alternate which goes first, so neither always runs on a warmer server.
        const pair = [() => timed(batched, () => loadAll(managers, schema), batchedCpu), () => timed(sequential, () => fetchEachInSequence(managers))];
        for (const step of round % 2 === 0 ? pair : pair.reverse()) await step();
      }
      // Where the time goes: each manager's fields loaded on their own.
      const alone: Record<string, number> = {};
      const aloneRatios: Record<string, number> = {};
      for (const scheme of Object.keys(managers.refs)) {
        const samples: number[] = [];
        const cpu: number[] = [];
        for (let round = 0; round < rounds; round++) await timed(samples, () => loadAll(managers, schemaFor(managers, scheme)), cpu);
        alone[`${KEY}.alone.${scheme}Ms`] = round(median(samples), 1);
        alone[`${KEY}.alone.${scheme}ClientCpuMs`] = round(median(cpu), 1);
        aloneRatios[`${KEY}.alone.${scheme}VsItsLimit`] = ratio(median(samples), roundTrips(scheme) * LATENCY_MS);
      }
      const limitMs = Math.max(...Object.keys(managers.refs).map(roundTrips)) * LATENCY_MS;
      const loadMs = median(batched);
      const sequentialMs = median(sequential);
      return {
        ratios: {
          [`${KEY}.vsRoundTripLimit`]: ratio(loadMs, limitMs),
          [`${KEY}.sequentialVsLoad`]: ratio(sequentialMs, loadMs),
          // The client's CPU per load (all threads, nearly all on the one JS thread): work that overlapping the requests cannot hide.
          [`${KEY}.clientCpuVsRoundTripLimit`]: ratio(median(batchedCpu), limitMs),
          ...aloneRatios,
        },
        medians: {
          [`${KEY}.loadSecretsMs`]: round(loadMs, 1),
          [`${KEY}.loadSecretsClientCpuMs`]: round(median(batchedCpu), 1),
          [`${KEY}.roundTripLimitMs`]: limitMs,
          [`${KEY}.perFieldSequentialMs`]: round(sequentialMs, 1),
          ...alone,
        },
        targets: { [`${KEY}.vsRoundTripLimit`]: { max: 1.25, label: "≤ 1.25× round-trip limit" } },
        notes: [
          `${perManager * 4} fields, ${LATENCY_MS} ms per request, ${rounds} alternating rounds, in process after one warm-up load; the test servers run in a child process`,
          `round-trip limit = the most sequential round trips one manager needs (${Object.entries(ROUND_TRIPS).map(([scheme, trips]) => `${scheme} ${trips}`).join(", ")}) × ${LATENCY_MS} ms`,
          "azure-kv's 4: the 401 bearer challenge, then MSAL's OpenID metadata for the test authority host (built into MSAL for login.microsoftonline.com, so 3 there), the token, the reads",
        ],
      };
    } finally {
      await managers.close();
    }
  },
};

function roundTrips(scheme: string): number {
  const trips = ROUND_TRIPS[scheme];
  if (trips === undefined) throw new Error(`remote bench: no round-trip count for ${scheme}`);
  return trips;
}

/** Wall time of `work` into `samples`; the client process's CPU time (all its threads) into `cpu`, when given. */
async function timed(samples: number[], work: () => Promise<unknown>, cpu?: number[]): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  samples.push(performance.now() - started);
  const used = process.cpuUsage(cpuBefore);
  cpu?.push((used.user + used.system) / 1000);
}

/** Every field of every manager, or of the one named. */
function schemaFor(managers: Managers, only?: string) {
  const fields = Object.entries(managers.refs).filter(([scheme]) => only === undefined || scheme === only).flatMap(([scheme, refs]) =>
    refs.map((ref, i) => [`${scheme.replace("-", "_").toUpperCase()}_${i}`, secret(z.string().min(1), { from: ref })] as const),
  );
  return defineSecrets(Object.fromEntries(fields));
}

/** What an app does at start-up: every field, fresh providers (no session or token yet). */
async function loadAll(managers: Managers, schema: ReturnType<typeof schemaFor>): Promise<void> {
  await loadSecrets(schema, {
    env: managers.env,
    providers: managers.providers(),
    production: true,
    dockerDir: "/nonexistent/bench",
    timeoutMs: 60_000,
    onWarning: () => {}, // the test servers' plain-http and verification warnings
  });
}

/** The hand-written client: one client per manager, logged in once, then one request per field, each awaited. */
async function fetchEachInSequence(managers: Managers): Promise<void> {
  const providers = new Map<string, Provider>(managers.providers().map((provider) => [provider.schemes[0]!, provider]));
  // A signal per request, as a client with a per-call timeout has (providers add an abort listener per call).
  const context = (): ResolveContext => ({ env: managers.env, signal: AbortSignal.timeout(60_000), production: true, warn: () => {} });
  try {
    for (const [scheme, refs] of Object.entries(managers.refs)) {
      for (const raw of refs) {
        const outcome = (await providers.get(scheme)!.resolve([parseRef(raw)], context())).get(raw);
        if (outcome?.status !== "found") throw new Error(`remote bench: ${raw} was not found (${outcome?.status})`);
      }
    }
  } finally {
    await Promise.allSettled([...providers.values()].map((provider) => provider.close?.()));
  }
}
