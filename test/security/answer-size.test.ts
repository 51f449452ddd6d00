/**
 * A manager answer that never ends (or is far larger than any secret) must be cut off at the size
 * cap, and a request whose attempt was abandoned (deadline passed) must be destroyed, not left
 * downloading. Deterministic: each test waits for the test server to see its socket closed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import vault from "../../src/providers/vault.ts";
import type { Outcome, ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { startVaultServer, type VaultTestServer } from "../servers/vault/server.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

const ROOT_TOKEN = `hvs.${secretValue("root-token")}`;
/** Long enough that only the size cap or the abandoned attempt can end a request in these tests. */
const NO_TIMEOUT = { requestTimeoutMs: 600_000, retry: { attempts: 1 } };

let vaultServer: VaultTestServer;
beforeAll(async () => {
  vaultServer = await startVaultServer({ rootToken: ROOT_TOKEN });
  vaultServer.putSecret("secret", "app/db", { url: secretValue("db-url") });
});
afterEach(() => vaultServer.faults.clear());
afterAll(async () => vaultServer.close());

/** A promise that settles when the fault's socket closes, and the callback to give the fault. */
function socketClosed(): { closed: Promise<void>; onClose: () => void } {
  let onClose!: () => void;
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  return { closed, onClose };
}

async function resolveVault(ctx: Partial<ResolveContext>, options: Parameters<typeof vault>[0] = {}): Promise<Outcome> {
  const provider = vault({ ...NO_TIMEOUT, ...options });
  const context: ResolveContext = { env: { VAULT_ADDR: vaultServer.url, VAULT_TOKEN: ROOT_TOKEN }, signal: new AbortController().signal, production: true, warn: () => {}, ...ctx };
  const outcome = (await provider.resolve([parseRef("vault://app/db#url")], context)).get("vault://app/db#url")!;
  await provider.close?.();
  if (outcome.status !== "found") expectNoSentinel(outcome);
  return outcome;
}

describe("vault answer size", () => {
  it("stops reading an endless answer at the cap and closes the connection", async () => {
    const { closed, onClose } = socketClosed();
    vaultServer.faults.add({ kind: "endless", onClose }, { match: "GET /v1/secret/data/app/db" });
    const outcome = await resolveVault({ maxAnswerBytes: 256 * 1024 });
    expect(outcome).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("sent an answer over the size limit, so reading it was stopped") });
    await closed;
  });

  it("takes the cap from the provider option too", async () => {
    const outcome = await resolveVault({}, { maxAnswerBytes: 16 });
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("over the size limit") });
    expect(await resolveVault({})).toMatchObject({ status: "found", value: secretValue("db-url") });
  });

  it("destroys the request when the deadline passes mid-answer", async () => {
    const { closed, onClose } = socketClosed();
    const deadline = new AbortController();
    vaultServer.faults.add({ kind: "stall", onStart: () => deadline.abort(), onClose }, { match: "GET /v1/secret/data/app/db" });
    const outcome = await resolveVault({ signal: deadline.signal });
    expect(outcome).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("deadline passed") });
    await closed;
  });
});

describe("vault answer encoding", () => {
  it("refuses an answer that is not UTF-8, as secret files are", async () => {
    vaultServer.faults.add({ kind: "malformed", body: Buffer.from('{"data":{"data":{"url":"\xff\xfe"},"metadata":{"version":1}}}', "latin1") }, { match: "GET /v1/secret/data/app/db" });
    const outcome = await resolveVault({});
    expect(outcome).toMatchObject({ status: "error", message: expect.stringContaining("is not UTF-8 text") });
  });
});
