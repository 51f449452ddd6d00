/**
 * gcp-sm provider: the real @google-cloud/secret-manager SDK against the local wire-compatible
 * servers in test/servers/gcp (REST, and gRPC, the SDK's default). Every secret and token here
 * carries the marker `s3cr3t-sentinel`; the last test checks that no message, reason or warning
 * seen in this file contains it.
 */
import { execFile, execFileSync } from "node:child_process";
import type { KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import gcpSm, { PROVIDER_NAME, type GcpSmOptions } from "../../src/providers/gcp-sm.ts";
import { crc32c } from "../../src/providers/gcp-sm/crc32c.ts";
import type { Outcome } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { startGcpGrpcServer, type GcpGrpcServer } from "../servers/gcp/grpc-server.ts";
import { googleErrorBody, startGcpServer, type GcpServer, type SecretStore } from "../servers/gcp/server.ts";
import { writeServiceAccountKey } from "../servers/gcp/service-account.ts";

// @grpc/grpc-js reads this once, when it loads: the CA of the TLS gRPC test below, written in its set-up.
const GRPC_CA = vi.hoisted(() => {
  const path = `${process.env.TMPDIR ?? "/tmp"}/gcp-sm-test-ca-${process.pid}.pem`;
  process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH = path;
  return path;
});

const MARKER = "s3cr3t-sentinel";
const TOKEN = "ya29.s3cr3t-sentinel-token-1";
const DB_V1 = "postgres://u:s3cr3t-sentinel-db-1@db/app";
const DB_V2 = "postgres://u:s3cr3t-sentinel-db-2@db/app";
const STRIPE = { api_key: "sk_s3cr3t-sentinel-stripe", webhook: "whsec_s3cr3t-sentinel-hook", retries: 3 };
const PROJECT = "test-project";
const PROJECT_NUMBER = 123456789012;

let server: GcpServer;
let keyDir: string;
let keyFile: string;
let publicKey: KeyObject;
const said: string[] = [];

beforeAll(async () => {
  keyDir = mkdtempSync(join(tmpdir(), "gcp-sm-test-"));
  keyFile = join(keyDir, "sa.json");
  ({ publicKey } = writeServiceAccountKey(keyFile, "key-project", "kid-s3cr3t-sentinel-1"));
});

afterAll(() => {
  rmSync(keyDir, { recursive: true, force: true });
  rmSync(GRPC_CA, { force: true });
  delete process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
});

beforeEach(async () => {
  await server?.close();
  server = await startGcpServer({ projects: { [PROJECT]: PROJECT_NUMBER }, tokens: [TOKEN], serviceAccountKeys: [publicKey] });
  seed(server.store);
});

function seed(store: SecretStore): void {
  store.addVersion(PROJECT, "db", DB_V1);
  store.addVersion(PROJECT, "db", DB_V2);
  store.addVersion(PROJECT, "stripe", JSON.stringify(STRIPE));
  store.addVersion(PROJECT, "app_db", "s3cr3t-sentinel-prefixed");
  store.addVersion(PROJECT, "rotating", "s3cr3t-sentinel-r1");
  store.addVersion(PROJECT, "rotating", "s3cr3t-sentinel-r2", { state: "DISABLED" });
  store.addVersion(PROJECT, "rotating", "s3cr3t-sentinel-r3", { state: "DISABLED" });
  store.setState(PROJECT, "rotating", 3, "DESTROYED");
  store.addVersion(PROJECT, "binary", new Uint8Array([0xff, 0x00, 0xfe]));
  store.addVersion(PROJECT, "locked", "s3cr3t-sentinel-locked");
  store.deny(PROJECT, "locked");
  store.addVersion("key-project", "from-key", "s3cr3t-sentinel-key-project");
}

function tokenAuth(token = TOKEN): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return client;
}

interface RunOptions {
  readonly options?: GcpSmOptions;
  readonly env?: Record<string, string | undefined>;
  readonly signal?: AbortSignal;
}

async function run(raws: readonly string[], { options, env, signal }: RunOptions = {}) {
  const warnings: string[] = [];
  const provider = gcpSm({ endpoint: server.url, authClient: tokenAuth(), baseDelayMs: 1, ...options });
  try {
    const outcomes = await provider.resolve(
      raws.map((raw) => parseRef(raw)),
      {
        env: env ?? { GCP_PROJECT_ID: PROJECT },
        signal: signal ?? new AbortController().signal,
        production: false,
        warn: (message) => warnings.push(message),
      },
    );
    for (const outcome of outcomes.values()) {
      if (outcome.status === "missing") said.push(outcome.reason ?? "");
      if (outcome.status === "error") said.push(outcome.message);
    }
    said.push(...warnings);
    expect([...outcomes.keys()].sort()).toEqual([...new Set(raws)].sort());
    return { outcomes, warnings, get: (raw: string) => outcomes.get(raw)! };
  } finally {
    await provider.close?.();
  }
}

const found = (value: string | Uint8Array, version: string): Outcome => ({ status: "found", value, version });

describe("gcp-sm: ref forms and versions", () => {
  it("reads the full form, with and without a version, and reports the version read", async () => {
    const { get } = await run([
      `gcp-sm://projects/${PROJECT}/secrets/db`,
      `gcp-sm://projects/${PROJECT}/secrets/db/versions/1`,
      `gcp-sm://projects/${PROJECT}/secrets/db/versions/latest`,
      `gcp-sm://projects/${PROJECT_NUMBER}/secrets/db?version=1`,
    ]);
    expect(get(`gcp-sm://projects/${PROJECT}/secrets/db`)).toEqual(found(DB_V2, "2"));
    expect(get(`gcp-sm://projects/${PROJECT}/secrets/db/versions/1`)).toEqual(found(DB_V1, "1"));
    expect(get(`gcp-sm://projects/${PROJECT}/secrets/db/versions/latest`)).toEqual(found(DB_V2, "2"));
    expect(get(`gcp-sm://projects/${PROJECT_NUMBER}/secrets/db?version=1`)).toEqual(found(DB_V1, "1"));
    // `latest` and `versions/latest` are the same resource: one request for the pair.
    expect(server.accessCount()).toBe(3);
  });

  it("reads the short form with GCP_PROJECT_ID, ?version= and a version alias", async () => {
    server.store.setAlias(PROJECT, "db", "stable", 1);
    const { get } = await run(["gcp-sm://db", "gcp-sm://db?version=1", "gcp-sm://db?version=stable"]);
    expect(get("gcp-sm://db")).toEqual(found(DB_V2, "2"));
    expect(get("gcp-sm://db?version=1")).toEqual(found(DB_V1, "1"));
    expect(get("gcp-sm://db?version=stable")).toEqual(found(DB_V1, "1"));
  });

  it("prefixes short names with GCP_SECRET_PREFIX, never full names", async () => {
    const env = { GCP_PROJECT_ID: PROJECT, GCP_SECRET_PREFIX: "app_" };
    const { get } = await run(["gcp-sm://db", `gcp-sm://projects/${PROJECT}/secrets/db`], { env });
    expect(get("gcp-sm://db")).toEqual(found("s3cr3t-sentinel-prefixed", "1"));
    expect(get(`gcp-sm://projects/${PROJECT}/secrets/db`)).toEqual(found(DB_V2, "2"));
  });

  it("options win over env for the project and the prefix", async () => {
    const { get } = await run(["gcp-sm://db"], { options: { projectId: PROJECT, secretPrefix: "app_" }, env: { GCP_PROJECT_ID: "other" } });
    expect(get("gcp-sm://db")).toEqual(found("s3cr3t-sentinel-prefixed", "1"));
  });

  it("reads #keys of a JSON secret with one request, and names a missing key without values", async () => {
    const raws = ["gcp-sm://stripe#api_key", "gcp-sm://stripe#webhook", "gcp-sm://stripe#retries", "gcp-sm://stripe#nope", "gcp-sm://stripe"];
    const { get } = await run(raws);
    expect(get("gcp-sm://stripe#api_key")).toEqual(found(STRIPE.api_key, "1"));
    expect(get("gcp-sm://stripe#webhook")).toEqual(found(STRIPE.webhook, "1"));
    expect(get("gcp-sm://stripe#retries")).toEqual(found("3", "1"));
    expect(get("gcp-sm://stripe")).toEqual(found(JSON.stringify(STRIPE), "1"));
    const missingKey = get("gcp-sm://stripe#nope");
    expect(missingKey).toMatchObject({ status: "error", kind: "invalid" });
    expect((missingKey as { message: string }).message).toContain('"nope"');
    expect((missingKey as { message: string }).message).toContain("api_key, webhook, retries");
    expect(server.accessCount()).toBe(1);
  });

  it("rejects #key on a secret that is not JSON", async () => {
    const { get } = await run(["gcp-sm://db#password"]);
    expect(get("gcp-sm://db#password")).toMatchObject({ status: "error", kind: "invalid" });
  });

  it("returns binary payloads as bytes", async () => {
    const { get } = await run(["gcp-sm://binary"]);
    expect(get("gcp-sm://binary")).toEqual(found(new Uint8Array([0xff, 0x00, 0xfe]), "1"));
  });

  it("reports malformed refs as invalid without asking the server", async () => {
    const raws = [
      "gcp-sm://a/b",
      `gcp-sm://projects/${PROJECT}/secrets/db/versions/1?version=2`,
      `gcp-sm://projects/${PROJECT}/locations/europe-west1/secrets/db`,
      "gcp-sm://db?versoin=1",
      "gcp-sm://bad.name",
      "gcp-sm://db?version=1.5",
    ];
    const { outcomes } = await run(raws);
    for (const raw of raws) {
      expect(outcomes.get(raw)).toMatchObject({ status: "error", kind: "invalid" });
      expect((outcomes.get(raw) as { message: string }).message).toContain(raw);
    }
    expect(server.requests).toHaveLength(0);
  });
});

describe("gcp-sm: version states and access", () => {
  it("reports NOT_FOUND, DISABLED and DESTROYED as missing, saying which", async () => {
    const { get } = await run([
      "gcp-sm://nope",
      "gcp-sm://db?version=9",
      "gcp-sm://rotating",
      "gcp-sm://rotating?version=2",
      "gcp-sm://rotating?version=1",
    ]);
    expect(get("gcp-sm://nope")).toEqual({ status: "missing", reason: "no such secret or version in Secret Manager", absent: true });
    expect(get("gcp-sm://db?version=9")).toMatchObject({ status: "missing" });
    // `latest` is the newest version whatever its state, as in the real service.
    expect(get("gcp-sm://rotating")).toEqual({ status: "missing", reason: "version 3 is destroyed" });
    expect(get("gcp-sm://rotating?version=2")).toEqual({ status: "missing", reason: "version 2 is disabled" });
    expect(get("gcp-sm://rotating?version=1")).toEqual(found("s3cr3t-sentinel-r1", "1"));
    // Not retried: one request per distinct version.
    expect(server.accessCount()).toBe(5);
  });

  it("reports PERMISSION_DENIED as denied, naming the role", async () => {
    const { get } = await run(["gcp-sm://locked", `gcp-sm://projects/elsewhere/secrets/db`]);
    for (const raw of ["gcp-sm://locked", "gcp-sm://projects/elsewhere/secrets/db"]) {
      expect(get(raw)).toMatchObject({ status: "error", kind: "denied" });
      expect((get(raw) as { message: string }).message).toContain("roles/secretmanager.secretAccessor");
    }
    expect(server.accessCount()).toBe(2);
  });

  it("reports a rejected token as denied", async () => {
    const { get } = await run(["gcp-sm://db"], { options: { authClient: tokenAuth("ya29.s3cr3t-sentinel-wrong") } });
    expect(get("gcp-sm://db")).toMatchObject({ status: "error", kind: "denied" });
    expect(server.accessCount()).toBe(1);
  });

  it("sends the bearer token and the routing header the real SDK sends", async () => {
    await run(["gcp-sm://db"]);
    expect(server.requests[0]).toMatchObject({
      method: "GET",
      path: `/v1/projects/${PROJECT}/secrets/db/versions/latest:access`,
      authorization: `Bearer ${TOKEN}`,
      routing: `name=${encodeURIComponent(`projects/${PROJECT}/secrets/db/versions/latest`)}`,
    });
  });

  it("warns once that the http endpoint has no TLS", async () => {
    const { warnings } = await run(["gcp-sm://db", "gcp-sm://stripe"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("plain http");
  });
});

describe("gcp-sm: SDK debug logging", () => {
  it("warns that GOOGLE_SDK_NODE_LOGGING makes the SDK log payloads", async () => {
    const { warnings } = await run(["gcp-sm://db"], { env: { GCP_PROJECT_ID: PROJECT, GOOGLE_SDK_NODE_LOGGING: "all" } });
    expect(warnings.some((w) => w.includes("GOOGLE_SDK_NODE_LOGGING"))).toBe(true);
  });
});

describe("gcp-sm: key file credentials and project detection", () => {
  it("signs requests with a service-account key file from GOOGLE_APPLICATION_CREDENTIALS, and takes its project", async () => {
    const env = { GOOGLE_APPLICATION_CREDENTIALS: keyFile };
    const { get } = await run(["gcp-sm://from-key", `gcp-sm://projects/${PROJECT}/secrets/db`], { options: { authClient: undefined }, env });
    expect(get("gcp-sm://from-key")).toEqual(found("s3cr3t-sentinel-key-project", "1"));
    expect(get(`gcp-sm://projects/${PROJECT}/secrets/db`)).toEqual(found(DB_V2, "2"));
    const jwt = server.requests[0]!.authorization!.slice("Bearer ".length);
    expect(jwt).toMatch(/^ey/);
    expect(server.requests.every((r) => r.authorization === `Bearer ${jwt}`)).toBe(true);
    expect(said.filter((text) => text.includes(jwt))).toEqual([]);
  });

  it("takes the keyFilename option", async () => {
    const { get } = await run(["gcp-sm://db"], { options: { authClient: undefined, keyFilename: keyFile } });
    expect(get("gcp-sm://db")).toEqual(found(DB_V2, "2"));
  });

  it("reports an unreadable key file for every ref without throwing", async () => {
    const { get } = await run(["gcp-sm://db"], { options: { authClient: undefined, keyFilename: join(keyDir, "absent.json") } });
    expect(get("gcp-sm://db")).toMatchObject({ status: "error", kind: "invalid" });
    expect((get("gcp-sm://db") as { message: string }).message).toContain("ENOENT");
    expect(server.requests).toHaveLength(0);
  });
});

describe("gcp-sm: faults, retries and the deadline", () => {
  it.each([
    ["503 UNAVAILABLE", { kind: "status", status: 503, body: googleErrorBody(503, "UNAVAILABLE") }],
    ["429 RESOURCE_EXHAUSTED", { kind: "status", status: 429, body: googleErrorBody(429, "RESOURCE_EXHAUSTED") }],
    ["504 DEADLINE_EXCEEDED", { kind: "status", status: 504, body: googleErrorBody(504, "DEADLINE_EXCEEDED") }],
    ["502 from a proxy (not Google's JSON)", { kind: "status", status: 502, body: "<html>bad gateway</html>" }],
    ["a connection reset", { kind: "reset" }],
  ] as const)("retries %s and then succeeds", async (_label, fault) => {
    server.faults.add(fault, { times: 2 });
    const { get } = await run(["gcp-sm://db"]);
    expect(get("gcp-sm://db")).toEqual(found(DB_V2, "2"));
    expect(server.accessCount()).toBe(3);
  });

  it("reports unavailable after its attempts, with google-gax's retries off", async () => {
    server.faults.add({ kind: "status", status: 503, body: googleErrorBody(503, "UNAVAILABLE") });
    const { get } = await run(["gcp-sm://db", "gcp-sm://db#x"], { options: { attempts: 3 } });
    expect(get("gcp-sm://db")).toMatchObject({ status: "error", kind: "unavailable" });
    expect((get("gcp-sm://db") as { message: string }).message).toContain("3 attempt(s)");
    expect(server.accessCount()).toBe(3);
  });

  it("gives up a hung attempt after attemptTimeoutMs and retries", async () => {
    server.faults.add({ kind: "hang" }, { times: 1 });
    const { get } = await run(["gcp-sm://db"], { options: { attemptTimeoutMs: 200 } });
    expect(get("gcp-sm://db")).toEqual(found(DB_V2, "2"));
    expect(server.accessCount()).toBe(2);
  });

  it("stops at the start-up deadline", async () => {
    server.faults.add({ kind: "hang" });
    const deadline = new AbortController();
    setTimeout(() => deadline.abort(), 300);
    const { get } = await run(["gcp-sm://db"], { signal: deadline.signal });
    expect(get("gcp-sm://db")).toMatchObject({ status: "error", kind: "unavailable" });
    expect((get("gcp-sm://db") as { message: string }).message).toContain("deadline");
    expect(server.accessCount()).toBe(1);
  });

  it("reports a refused connection as unavailable after its attempts", async () => {
    await server.close();
    const { get } = await run(["gcp-sm://db"], { options: { attempts: 2 } });
    expect(get("gcp-sm://db")).toMatchObject({ status: "error", kind: "unavailable" });
    expect((get("gcp-sm://db") as { message: string }).message).toContain("ECONNREFUSED, 2 attempt(s)");
  });

  it("asks nothing once the deadline has passed", async () => {
    const { get } = await run(["gcp-sm://db"], { signal: AbortSignal.abort() });
    expect(get("gcp-sm://db")).toMatchObject({ status: "error", kind: "unavailable" });
    expect(server.accessCount()).toBe(0);
  });

  it("reports a malformed body as invalid without retrying", async () => {
    server.faults.add({ kind: "malformed" });
    const { get } = await run(["gcp-sm://db"]);
    expect(get("gcp-sm://db")).toMatchObject({ status: "error", kind: "invalid" });
    expect(server.accessCount()).toBe(1);
  });

  it("checks the payload CRC32C: a mismatch is retried, then invalid; an absent one is accepted", async () => {
    server.store.addVersion(PROJECT, "corrupt", "s3cr3t-sentinel-corrupt", { crc32c: "12345" });
    server.store.addVersion(PROJECT, "unchecked", "s3cr3t-sentinel-unchecked", { crc32c: null });
    const { get } = await run(["gcp-sm://corrupt", "gcp-sm://unchecked"], { options: { attempts: 2 } });
    expect(get("gcp-sm://corrupt")).toMatchObject({ status: "error", kind: "invalid" });
    expect((get("gcp-sm://corrupt") as { message: string }).message).toContain("CRC32C");
    expect(get("gcp-sm://unchecked")).toEqual(found("s3cr3t-sentinel-unchecked", "1"));
    expect(server.accessCount("projects/test-project/secrets/corrupt/versions/latest")).toBe(2);
  });

  it("reads each distinct version once, at most `concurrency` at a time", async () => {
    for (let i = 0; i < 12; i++) server.store.addVersion(PROJECT, `many-${i}`, `s3cr3t-sentinel-many-${i}`);
    server.faults.add({ kind: "latency", ms: 30 });
    const raws = Array.from({ length: 12 }, (_, i) => [`gcp-sm://many-${i}`, `gcp-sm://projects/${PROJECT}/secrets/many-${i}/versions/latest`]).flat();
    const { outcomes } = await run(raws, { options: { concurrency: 3 } });
    expect([...outcomes.values()].every((o) => o.status === "found")).toBe(true);
    expect(server.accessCount()).toBe(12);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
  });
});

describe("gcp-sm: pieces", () => {
  it("computes CRC32C (Castagnoli) check values", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array())).toBe(0);
  });

  it("is named for the registry and serves one scheme", () => {
    const provider = gcpSm();
    expect(provider.name).toBe(PROVIDER_NAME);
    expect(provider.schemes).toEqual(["gcp-sm"]);
  });

  it.each([
    ["an unknown transport", { transport: "carrier-pigeon" as "rest" }],
    ["a bad endpoint", { endpoint: "ftp://u:s3cr3t-sentinel@host" }],
    ["an unparsable endpoint", { endpoint: "http://[nope" }],
    ["gRPC to a plain-http endpoint", { transport: "grpc" as const }],
  ])("reports %s for every ref without throwing", async (_label, options) => {
    const { get } = await run(["gcp-sm://db", "gcp-sm://stripe"], { options });
    expect(get("gcp-sm://db")).toMatchObject({ status: "error", kind: "invalid" });
    expect(get("gcp-sm://stripe")).toMatchObject({ status: "error", kind: "invalid" });
    expect(server.requests).toHaveLength(0);
  });
});

describe("gcp-sm: gRPC, the SDK's default transport", () => {
  let grpcServer: GcpGrpcServer;
  beforeEach(async () => {
    await grpcServer?.close();
    grpcServer = await startGcpGrpcServer({ projects: { [PROJECT]: PROJECT_NUMBER } });
    seed(grpcServer.store);
  });
  afterAll(() => grpcServer.close());

  // No `transport` option: gRPC is the default. The local server has no TLS, so the test passes
  // insecure channel credentials, which (as in google-gax) replace the per-call Google credentials.
  const overGrpc = (extra: GcpSmOptions = {}): GcpSmOptions => ({
    endpoint: grpcServer.endpoint,
    clientOptions: { sslCreds: grpc.credentials.createInsecure() },
    ...extra,
  });

  it("reads versions, #keys and reports states, denials and absences", async () => {
    const raws = ["gcp-sm://db", "gcp-sm://db?version=1", "gcp-sm://stripe#api_key", "gcp-sm://rotating?version=2", "gcp-sm://rotating", "gcp-sm://nope", "gcp-sm://locked"];
    const { get, warnings } = await run(raws, { options: overGrpc() });
    expect(get("gcp-sm://db")).toEqual(found(DB_V2, "2"));
    expect(get("gcp-sm://db?version=1")).toEqual(found(DB_V1, "1"));
    expect(get("gcp-sm://stripe#api_key")).toEqual(found(STRIPE.api_key, "1"));
    expect(get("gcp-sm://rotating?version=2")).toEqual({ status: "missing", reason: "version 2 is disabled" });
    expect(get("gcp-sm://rotating")).toEqual({ status: "missing", reason: "version 3 is destroyed" });
    expect(get("gcp-sm://nope")).toMatchObject({ status: "missing" });
    expect(get("gcp-sm://locked")).toMatchObject({ status: "error", kind: "denied" });
    expect(grpcServer.requests).toHaveLength(raws.length);
    expect(warnings).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it("retries UNAVAILABLE and RESOURCE_EXHAUSTED, then reports unavailable", async () => {
    grpcServer.faults.add({ kind: "status", status: 503 }, { times: 1 });
    grpcServer.faults.add({ kind: "status", status: 429 }, { times: 1 });
    const first = await run(["gcp-sm://db"], { options: overGrpc() });
    expect(first.get("gcp-sm://db")).toEqual(found(DB_V2, "2"));
    expect(grpcServer.requests).toHaveLength(3);
    grpcServer.faults.add({ kind: "status", status: 503 });
    const second = await run(["gcp-sm://db"], { options: overGrpc({ attempts: 2 }) });
    expect(second.get("gcp-sm://db")).toMatchObject({ status: "error", kind: "unavailable" });
    expect(grpcServer.requests).toHaveLength(5);
  });

  it("gives up a hung call after attemptTimeoutMs, and checks CRC32C", async () => {
    grpcServer.faults.add({ kind: "hang" }, { times: 1 });
    grpcServer.store.addVersion(PROJECT, "corrupt", "s3cr3t-sentinel-corrupt", { crc32c: "1" });
    const { get } = await run(["gcp-sm://db", "gcp-sm://corrupt"], { options: overGrpc({ attemptTimeoutMs: 300, attempts: 2, concurrency: 1 }) });
    expect(get("gcp-sm://db")).toEqual(found(DB_V2, "2"));
    expect(get("gcp-sm://corrupt")).toMatchObject({ status: "error", kind: "invalid" });
  });
});

/** A throwaway self-signed certificate for 127.0.0.1, or undefined without the openssl CLI. */
function selfSignedCert(): { key: string; cert: string } | undefined {
  const key = join(keyDir, "tls-key.pem");
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", GRPC_CA, "-days", "1",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore", timeout: 60_000 });
  } catch {
    console.warn("gcp-sm: SKIPPING the gRPC-over-TLS test: install the openssl package to run it");
    return undefined;
  }
  return { key: readFileSync(key, "utf8"), cert: readFileSync(GRPC_CA, "utf8") };
}

describe("gcp-sm: gRPC over TLS with per-call credentials, exactly as in production", () => {
  it("needs nothing but the endpoint: the SDK's default transport, TLS and bearer token", async (context) => {
    const tls = selfSignedCert();
    if (!tls) return context.skip();
    const tlsServer = await startGcpGrpcServer({ projects: { [PROJECT]: PROJECT_NUMBER }, tls, tokens: [TOKEN] });
    try {
      seed(tlsServer.store);
      const { get, warnings } = await run(["gcp-sm://db", "gcp-sm://stripe#webhook", "gcp-sm://rotating"], { options: { endpoint: tlsServer.endpoint } });
      expect(get("gcp-sm://db")).toEqual(found(DB_V2, "2"));
      expect(get("gcp-sm://stripe#webhook")).toEqual(found(STRIPE.webhook, "1"));
      expect(get("gcp-sm://rotating")).toEqual({ status: "missing", reason: "version 3 is destroyed" });
      expect(tlsServer.authorizations).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
      expect(warnings).toEqual([]);

      const rejected = await run(["gcp-sm://db"], { options: { endpoint: tlsServer.endpoint, authClient: tokenAuth("ya29.s3cr3t-sentinel-wrong") } });
      expect(rejected.get("gcp-sm://db")).toMatchObject({ status: "error", kind: "denied" });
    } finally {
      await tlsServer.close();
    }
  });
});

// An independent client for the test server: Google's own gcloud CLI (its REST client checks
// dataCrc32c too, so it also vouches for our CRC32C). CI images carry it; skip loudly where absent.
const hasGcloud = (() => {
  try {
    execFileSync("gcloud", ["--version"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    console.warn("gcp-sm: SKIPPING the gcloud cross-check: install the google-cloud-cli package (gcloud) to run it");
    return false;
  }
})();

describe.skipIf(!hasGcloud)("gcp-sm test server: driven by gcloud", () => {
  function gcloud(version: string, secret: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const config = join(keyDir, `gcloud-${secret}-${version}`);
    writeFileSync(join(keyDir, "token"), TOKEN);
    const env = {
      ...process.env,
      CLOUDSDK_CONFIG: config,
      CLOUDSDK_CORE_DISABLE_PROMPTS: "1",
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: "true",
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: "true",
      CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER: `${server.url}/`,
    };
    const args = ["secrets", "versions", "access", version, `--secret=${secret}`, `--project=${PROJECT}`, `--access-token-file=${join(keyDir, "token")}`];
    return new Promise((resolve) =>
      execFile("gcloud", args, { env, timeout: 90_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
  }

  it("reads versions, reports states and absences, and checks CRC32C as Google's client does", async () => {
    server.store.addVersion(PROJECT, "unicode", "s3cr3t-sentinel é 中 🔑");
    server.store.addVersion(PROJECT, "corrupt", "s3cr3t-sentinel-corrupt", { crc32c: "12345" });
    const [latest, first, disabled, nope, unicode, corrupt] = await Promise.all([
      gcloud("latest", "db"),
      gcloud("1", "db"),
      gcloud("2", "rotating"),
      gcloud("latest", "nope"),
      gcloud("latest", "unicode"),
      gcloud("latest", "corrupt"),
    ]);
    expect(latest.code === 0 && latest.stdout === DB_V2).toBe(true);
    expect(first.code === 0 && first.stdout === DB_V1).toBe(true);
    expect(disabled.stderr).toContain("FAILED_PRECONDITION: Secret Version [projects/123456789012/secrets/rotating/versions/2] is in DISABLED state.");
    expect(nope.stderr).toContain("NOT_FOUND: Secret [projects/123456789012/secrets/nope] not found or has no versions.");
    expect(unicode.code === 0 && unicode.stdout === "s3cr3t-sentinel é 中 🔑").toBe(true);
    expect(corrupt.code).not.toBe(0);
    expect(corrupt.stderr).toContain("incorrect data_crc32c");
    expect(server.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  }, 120_000);
});

describe("gcp-sm: leak test (runs last)", () => {
  it("never passes on what the service or the SDK says, even when it echoes tokens or values", async () => {
    const echo = `token ${TOKEN} for value ${DB_V2}`;
    server.faults.add({ kind: "status", status: 403, body: googleErrorBody(403, "PERMISSION_DENIED", echo) }, { match: "/secrets/a/" });
    server.faults.add({ kind: "status", status: 503, body: googleErrorBody(503, "UNAVAILABLE", echo) }, { match: "/secrets/b/" });
    server.faults.add({ kind: "status", status: 400, body: googleErrorBody(400, "FAILED_PRECONDITION", echo) }, { match: "/secrets/c/" });
    server.faults.add({ kind: "status", status: 400, body: googleErrorBody(400, "INVALID_ARGUMENT", echo) }, { match: "/secrets/d/" });
    server.faults.add({ kind: "malformed", body: `{"name": "${echo}` }, { match: "/secrets/e/" });
    server.faults.add({ kind: "status", status: 500, body: echo }, { match: "/secrets/f/" });
    const raws = ["a", "b", "c", "d", "e", "f"].map((name) => `gcp-sm://${name}`).concat("gcp-sm://stripe#nope", "gcp-sm://db#k");
    const { outcomes } = await run(raws, { options: { attempts: 2 } });
    expect([...outcomes.values()].every((o) => o.status === "error")).toBe(true);
    for (const outcome of outcomes.values()) expect(JSON.stringify(outcome).includes(MARKER)).toBe(false);
  });

  it("no message, reason or warning in this file contained a token or a value", () => {
    expect(said.length).toBeGreaterThan(40);
    expect(said.filter((text) => text.includes(MARKER))).toEqual([]);
  });
});
