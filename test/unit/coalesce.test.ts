/**
 * Request coalescing and the per-provider concurrency limit, counted on the Vault test server:
 * concurrent loads through one provider, and a refreshNow() during a timer refresh, send one read
 * per path; `limits.concurrency` caps the reads in flight. Reads are held by a "hold" fault, so
 * when a request lands is decided by the test, never by timing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { close, loadSecrets, refreshNow } from "../../src/runtime/index.ts";
import vault from "../../src/providers/vault.ts";
import { defineProvider, type Outcome } from "../../src/providers/types.ts";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";
import { secretValue } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";

const PATHS = ["a", "b", "c", "d", "e", "f"];
const readPath = (path: string) => `/v1/secret/data/co/${path}`;

let server: VaultTestServer;
let env: Record<string, string>;
const dir = tempDir("coalesce-");

beforeAll(async () => {
  server = await startVaultServer();
  for (const path of PATHS) server.putSecret("secret", `co/${path}`, { value: secretValue(`co-${path}`), other: "x" });
  env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.rootToken };
});
afterAll(() => server.close());

/** Fields reading every path, two keys of one path among them. */
const fields = {
  ...Object.fromEntries(PATHS.map((path) => [`F_${path.toUpperCase()}`, secret(z.string(), { from: `vault://co/${path}#value` })])),
  F_A_OTHER: secret(z.string(), { from: "vault://co/a#other" }),
};
const schema = defineSecrets(fields);
const readsOf = (path: string) => server.requests.filter((r) => r.method === "GET" && r.path === readPath(path)).length;
/** Waits for the reads to reach the server: the first load imports node-vault, slow on a busy machine (vitest polls for 1 s by default). */
const READS_ARRIVE = { timeout: 30_000, interval: 20 };
const common = { cwd: dir, dockerDir: `${dir}/none`, dotenv: false, production: true } as const;

/** Holds every read until `release()`. */
function holdReads(): { release: () => void } {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  server.faults.add({ kind: "hold", until }, { match: /^GET \/v1\/secret\/data\/co\// });
  return { release: () => (server.faults.clear(), release()) };
}

/** A provider for `probe://` whose resolve() says the batch it came with has been handed out. */
function probe(onAsked: () => void) {
  return defineProvider({
    name: "probe",
    schemes: ["probe"],
    resolve: async (refs) => (onAsked(), new Map<string, Outcome>(refs.map((ref) => [ref.raw, { status: "missing" }]))),
  });
}

describe("request coalescing", () => {
  it("two concurrent loads through the same provider send one read per path", async () => {
    const provider = vault();
    const before = new Map(PATHS.map((path) => [path, readsOf(path)]));
    const gate = holdReads();
    try {
      const first = loadSecrets<Record<string, string>>(schema, { ...common, env, providers: [provider] });
      await expect.poll(() => PATHS.every((path) => readsOf(path) > before.get(path)!), READS_ARRIVE).toBe(true);
      // The second load asks its providers in field order, Vault first: when the probe is asked, Vault's batch has joined the reads in flight.
      let joined!: () => void;
      const asked = new Promise<void>((resolve) => (joined = resolve));
      const withProbe = defineSecrets({ ...fields, PROBE: secret(z.string(), { from: "probe://x", devDefault: "unused" }) });
      const second = loadSecrets<Record<string, string>>(withProbe, { ...common, production: false, env, providers: [provider, probe(joined)] });
      await asked;
      gate.release();
      const [a, b] = await Promise.all([first, second]);
      expect(a.F_A).toBe(secretValue("co-a"));
      expect(b.F_F).toBe(secretValue("co-f"));
      expect(b.F_A_OTHER).toBe("x");
      for (const path of PATHS) expect(readsOf(path) - before.get(path)!, `reads of co/${path}`).toBe(1);
    } finally {
      gate.release();
      await provider.close?.();
    }
  });

  it("a refreshNow() during a timer refresh shares its reads", async () => {
    const provider = vault();
    const secrets = await loadSecrets<Record<string, string>>(schema, {
      ...common, env, providers: [provider], refresh: { intervalMs: 50, jitter: 0 },
    });
    const before = new Map(PATHS.map((path) => [path, readsOf(path)]));
    const gate = holdReads();
    try {
      // The timer's refresh is now in flight, held at the server.
      await expect.poll(() => PATHS.every((path) => readsOf(path) > before.get(path)!), READS_ARRIVE).toBe(true);
      const now = refreshNow(secrets);
      gate.release();
      await now;
      for (const path of PATHS) expect(readsOf(path) - before.get(path)!, `reads of co/${path}`).toBe(1);
    } finally {
      gate.release();
      await close(secrets);
    }
  });
});

describe("per-provider concurrency limit", () => {
  it("never has more reads in flight at the server than limits.concurrency", async () => {
    const own = await startVaultServer();
    try {
      for (const path of PATHS) own.putSecret("secret", `co/${path}`, { value: secretValue(`co-${path}`), other: "x" });
      own.faults.add({ kind: "latency", ms: 30 }, { match: /^GET \/v1\/secret\/data\/co\// });
      const provider = vault();
      await loadSecrets(schema, { ...common, env: { VAULT_ADDR: own.url, VAULT_TOKEN: own.rootToken }, providers: [provider], limits: { concurrency: 2 } });
      await provider.close?.();
      expect(own.requests.filter((r) => r.path.startsWith("/v1/secret/data/co/"))).toHaveLength(PATHS.length);
      expect(own.maxInFlight).toBe(2);
    } finally {
      await own.close();
    }
  });
});
