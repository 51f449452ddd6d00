/**
 * Rotation end to end, for each of the four managers: loadSecrets with refresh, the built-in
 * provider driving its real SDK, and the manager's local test server, whose store the test
 * writes new versions into (a rotation) and whose fault queue takes the manager down (an outage).
 *
 * One fake clock (setTimeout and Date) decides when refreshes run; the HTTP between the SDK and the
 * server is real, so after each step the test waits, on real event-loop turns (setImmediate is not
 * faked), for the audit events that say the refresh pass has been applied. No assertion is about
 * timing: only "after moving the clock N on and the pass finishing, X holds".
 */
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import azureKv from "../../src/providers/azure-kv.ts";
import { defineSecrets, secret } from "../../src/index.ts";
import {
  close, explain, loadSecrets, onChange, provenance,
  type AuditEvent, type LoadOptions, type Provenance, type RefreshOptions,
} from "../../src/runtime/index.ts";
import { auditRecorder, settled } from "../helpers/fake-clock.ts";
import { startAwsServer } from "../servers/aws/server.ts";
import { createSelfSignedCertificate } from "../servers/azure/cert.ts";
import { startAzureKeyVaultServer } from "../servers/azure/server.ts";
import type { FaultQueue } from "../servers/faults.ts";
import { startGcpServer } from "../servers/gcp/server.ts";
import { writeServiceAccountKey } from "../servers/gcp/service-account.ts";
import { startVaultServer } from "../servers/vault/server.ts";
import { expectNoSentinel, SENTINEL, secretValue } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";
import { withBuiltinProviders } from "../helpers/builtin-providers.ts";

const dir = tempDir();
const INTERVAL_MS = 60_000;

/** What a rotation test needs from one manager's test server. */
interface Manager {
  /** The ref of secret `name` in this manager. */
  ref(name: string): string;
  /** Write a new version of secret `name` (creating it) through the server's store; returns the version the provider reports. */
  write(name: string, value: string): string;
  readonly faults: FaultQueue;
  /** env and providers, as an app would configure this manager (a new provider instance each call: close() releases it). */
  options(): LoadOptions;
  close(): Promise<void>;
}

/** Each manager's server, set up as test/integration/managers.test.ts does, with sentinel credentials. */
const MANAGERS: ReadonlyArray<{ readonly name: string; readonly start: () => Promise<Manager> }> = [
  {
    name: "Vault (KV v2, AppRole)",
    async start() {
      const server = await startVaultServer();
      const secretId = secretValue("vault-secret-id");
      server.setPolicy("app", { "secret/data/rotation/*": ["read"] });
      server.addAppRole("app", { roleId: "app-role", secretIds: [secretId], policies: ["app"], ttl: 3600 });
      return {
        ref: (name) => `vault://rotation/${name}#value`,
        write: (name, value) => String(server.putSecret("secret", `rotation/${name}`, { value })),
        faults: server.faults,
        options: () => ({ env: { VAULT_ADDR: server.url, VAULT_ROLE_ID: "app-role", VAULT_SECRET_ID: secretId } }),
        close: () => server.close(),
      };
    },
  },
  {
    name: "AWS Secrets Manager",
    async start() {
      const server = await startAwsServer({ region: "eu-west-1" });
      const env = {
        AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
        AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: secretValue("aws-secret-key"),
      };
      return {
        ref: (name) => `aws-sm://rotation/${name}`,
        write: (name, value) => server.seed(`rotation/${name}`, value).versionId,
        faults: server.faults,
        options: () => ({ env }),
        close: () => server.close(),
      };
    },
  },
  {
    name: "GCP Secret Manager",
    async start() {
      const keyFile = join(dir, "sa.json");
      const { publicKey } = writeServiceAccountKey(keyFile, "p");
      const server = await startGcpServer({ projects: { p: 1 }, serviceAccountKeys: [publicKey] });
      const env = { GCP_PROJECT_ID: "p", GCP_SM_ENDPOINT: server.url, GOOGLE_APPLICATION_CREDENTIALS: keyFile };
      return {
        ref: (name) => `gcp-sm://${name}`,
        write: (name, value) => String(server.store.addVersion("p", name, value)),
        faults: server.faults,
        options: () => ({ env }),
        close: () => server.close(),
      };
    },
  },
  {
    name: "Azure Key Vault",
    async start() {
      const certificate = createSelfSignedCertificate();
      const clientSecret = secretValue("azure-client-secret");
      const server = await startAzureKeyVaultServer({ certificate, clientSecret });
      const env = { AZURE_TENANT_ID: server.tenantId, AZURE_CLIENT_ID: server.clientId, AZURE_CLIENT_SECRET: clientSecret, AZURE_AUTHORITY_HOST: server.authorityHost };
      const azure = { vaultUrls: { "my-vault": server.url }, ca: certificate.cert, disableInstanceDiscovery: true, disableChallengeResourceVerification: true };
      return {
        ref: (name) => `azure-kv://my-vault/${name}`,
        write: (name, value) => server.setSecret(name, value),
        faults: server.faults,
        options: () => ({ env, providers: [azureKv(azure)] }),
        close: () => server.close(),
      };
    },
  },
];

const audit = auditRecorder();
const { events } = audit;
beforeAll(audit.subscribe);
afterAll(audit.unsubscribe);

const refreshAfter = (ms: number, fields = 2) => audit.refreshAfter(ms, fields);

const outcomes = (pass: readonly AuditEvent[]) => pass.map((e) => `${e.field} ${e.outcome}`);

/**
 * The warnings about fields. Providers also warn about their own set-up for these local servers
 * (GCP: a plain-http endpoint; Azure: challenge resource verification disabled); those are checked
 * for sentinels with the rest, but are not what these tests are about.
 */
const about = (warnings: readonly string[]) => warnings.filter((warning) => /^(ROTATED|STEADY) /.test(warning));

type Secrets = { ROTATED: string; STEADY: string };

describe.each(MANAGERS)("rotation with $name", ({ start }) => {
  let manager: Manager;
  const warnings: string[] = [];
  /** Every text the test saw come out of the runtime, checked for sentinels after each test. */
  const output: unknown[] = [];
  /** The object a test loaded, until its finish() closed it; afterEach closes it when a test failed before. */
  let open: object | undefined;

  beforeAll(async () => {
    manager = await start();
  });
  afterAll(() => manager?.close());

  beforeEach(() => {
    events.length = 0;
    warnings.length = 0;
    output.length = 0;
  });

  afterEach(async () => {
    manager.faults.clear();
    if (open) await settled(close(open));
    open = undefined;
    vi.useRealTimers();
  });

  /**
   * Secrets `<test>-rotated` and `<test>-steady` at version 1, loaded in production (manager only,
   * failing closed), refreshing every minute with no jitter, with onChange recorded per field.
   */
  async function setUp(test: string, refresh: RefreshOptions = {}, extra: LoadOptions = {}) {
    const names = { ROTATED: `${test}-rotated`, STEADY: `${test}-steady` };
    const first = { ROTATED: secretValue(`${test}-rotated-v1`), STEADY: secretValue(`${test}-steady-v1`) };
    const versions = { ROTATED: manager.write(names.ROTATED, first.ROTATED), STEADY: manager.write(names.STEADY, first.STEADY) };
    const schema = defineSecrets({
      ROTATED: secret(z.string().min(32), { from: manager.ref(names.ROTATED), productionSources: ["manager"] }),
      STEADY: secret(z.string().min(32), { from: manager.ref(names.STEADY), productionSources: ["manager"] }),
    });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const secrets = await settled(loadSecrets<Secrets>(withBuiltinProviders(schema), {
      production: true, dotenv: false, dockerDir: join(dir, "none"), cwd: dir, onWarning: (m) => void warnings.push(m),
      ...manager.options(),
      ...extra,
      refresh: { intervalMs: INTERVAL_MS, jitter: 0, ...refresh },
    }));
    open = secrets;
    expect({ ROTATED: secrets.ROTATED, STEADY: secrets.STEADY }).toEqual(first);
    expect(provenance(secrets, "ROTATED")).toMatchObject({ source: "manager", where: manager.ref(names.ROTATED), version: versions.ROTATED });
    const changes: Record<keyof Secrets, Provenance[]> = { ROTATED: [], STEADY: [] };
    onChange(secrets, "ROTATED", (p) => void changes.ROTATED.push(p));
    onChange(secrets, "STEADY", (p) => void changes.STEADY.push(p));
    const finish = async () => {
      output.push(...warnings, events, changes, inspect(secrets), JSON.stringify(secrets), explain(secrets));
      await settled(close(secrets));
      open = undefined;
      expect(vi.getTimerCount()).toBe(0);
      // Nothing runs after close(): a whole hour later, no more refresh events.
      const after = events.length;
      vi.advanceTimersByTime(3_600_000);
      for (let turn = 0; turn < 20; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      expect(events.length).toBe(after);
      expectNoSentinel(...output);
    };
    return { secrets, names, first, versions, changes, finish };
  }

  it("brings a value rotated on the server to the accessor within one refresh period, with onChange once", async () => {
    const { secrets, names, first, versions, changes, finish } = await setUp("rotate");
    const next = secretValue("rotate-rotated-v2");
    const version = manager.write(names.ROTATED, next);
    expect(version).not.toBe(versions.ROTATED);

    const pass = await refreshAfter(INTERVAL_MS);
    expect(outcomes(pass)).toEqual(["ROTATED changed", "STEADY unchanged"]);
    expect(pass[0]).toMatchObject({ phase: "refresh", source: "manager", where: manager.ref(names.ROTATED), version });
    expect(secrets.ROTATED).toBe(next);
    expect(secrets.STEADY).toBe(first.STEADY);
    expect(provenance(secrets, "ROTATED")).toMatchObject({ source: "manager", where: manager.ref(names.ROTATED), version });
    expect(provenance(secrets, "STEADY").version).toBe(versions.STEADY);
    expect(changes.ROTATED).toHaveLength(1);
    expect(changes.ROTATED[0]).toBe(provenance(secrets, "ROTATED"));
    expect(changes.STEADY).toEqual([]);

    // The next period finds nothing new: onChange stays at one.
    expect(outcomes(await refreshAfter(INTERVAL_MS))).toEqual(["ROTATED unchanged", "STEADY unchanged"]);
    expect(changes.ROTATED).toHaveLength(1);
    expect(about(warnings)).toEqual([]);
    await finish();
  });

  it("rejects a rotated value the schema refuses: the old value stays, no onChange, a warning without the value", async () => {
    const { secrets, names, first, versions, changes, finish } = await setUp("invalid");
    const invalid = `${SENTINEL}-short`; // under the field's min(32)
    expect(invalid.length).toBeLessThan(32);
    manager.write(names.ROTATED, invalid);

    const pass = await refreshAfter(INTERVAL_MS);
    expect(outcomes(pass)).toEqual(["ROTATED failed", "STEADY unchanged"]);
    expect(secrets.ROTATED).toBe(first.ROTATED);
    expect(provenance(secrets, "ROTATED").version).toBe(versions.ROTATED);
    expect(changes).toEqual({ ROTATED: [], STEADY: [] });
    const [warning, ...more] = about(warnings);
    expect(more).toEqual([]);
    expect(warning).toMatch(/^ROTATED could not be refreshed; keeping the last good value: ROTATED: .* is invalid \(/);
    expect(warning).toContain(manager.ref(names.ROTATED));
    expect(warnings.join("\n")).not.toContain(invalid);
    expect(pass[0]!.message).not.toContain(invalid);
    await finish();
  });

  it("serves the last good value through an outage, and reports the failures as stale after maxStalenessMs", async () => {
    // One attempt per request: a retry's back-off would wait on the fake clock, which only the test moves.
    const { secrets, names, first, changes, finish } = await setUp("outage", { maxStalenessMs: 150_000 }, { retry: { attempts: 1 } });
    manager.faults.add({ kind: "status", status: 503 });

    // 60 s and 120 s: failed, still under 150 s old.
    for (let pass = 1; pass <= 2; pass++) {
      expect(outcomes(await refreshAfter(INTERVAL_MS))).toEqual(["ROTATED failed", "STEADY failed"]);
      expect({ ROTATED: secrets.ROTATED, STEADY: secrets.STEADY }).toEqual(first);
    }
    const failed = about(warnings);
    expect(failed).toHaveLength(4);
    for (const warning of failed) expect(warning).toMatch(/^(ROTATED|STEADY) could not be refreshed; keeping the last good value: \1: \S+ failed \(unavailable: /);
    expect(failed[0]).toContain(manager.ref(names.ROTATED));

    // 180 s: past maxStalenessMs, each failure is reported as stale.
    const stale = await refreshAfter(INTERVAL_MS);
    expect(outcomes(stale)).toEqual(["ROTATED stale", "STEADY stale"]);
    expect(about(warnings).slice(4)).toEqual([
      expect.stringMatching(/^ROTATED could not be refreshed for 180 s, past maxStalenessMs; still serving the last good value: ROTATED: \S+ failed \(unavailable: /),
      expect.stringMatching(/^STEADY could not be refreshed for 180 s, past maxStalenessMs; still serving the last good value: STEADY: \S+ failed \(unavailable: /),
    ]);
    expect({ ROTATED: secrets.ROTATED, STEADY: secrets.STEADY }).toEqual(first);
    expect(changes).toEqual({ ROTATED: [], STEADY: [] });

    // The manager is back: the next pass succeeds and the warnings stop.
    manager.faults.clear();
    expect(outcomes(await refreshAfter(INTERVAL_MS))).toEqual(["ROTATED unchanged", "STEADY unchanged"]);
    expect(about(warnings)).toHaveLength(6);
    expect({ ROTATED: secrets.ROTATED, STEADY: secrets.STEADY }).toEqual(first);
    await finish();
  });
});
