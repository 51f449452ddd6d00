import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import awsSm, { type AwsSmOptions } from "../../src/providers/aws-sm.ts";
import { clientConfig } from "../../src/providers/aws-sm/client.ts";
import type { Outcome, ResolveContext } from "../../src/providers/types.ts";
import { parseRef } from "../../src/schema/ref.ts";
import { startAwsServer, type AwsServer } from "../servers/aws/server.ts";

const MARK = "s3cr3t-sentinel";
const ACCESS_KEY_ID = "AKIAS3CR3T-s3cr3t-sentinel-key-id";
const SECRET_ACCESS_KEY = "wJalr-s3cr3t-sentinel-secret-access-key";
const DB = { host: "db.internal", password: "pw-s3cr3t-sentinel-db", port: 5432, user: "app" };
const STRIPE = "sk_live_s3cr3t-sentinel-stripe";

let server: AwsServer;
let warnings: string[];
const providers: { close?: () => Promise<void> }[] = [];

function baseEnv(): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, AWS_REGION: "us-east-1" };
}

function context(overrides: Partial<ResolveContext> = {}): ResolveContext {
  return { env: baseEnv(), signal: AbortSignal.timeout(10_000), production: true, warn: (m) => warnings.push(m), ...overrides };
}

function provider(options: AwsSmOptions = {}) {
  const p = awsSm({ endpoint: server.url, retryBaseDelayMs: 1, ...options });
  providers.push(p);
  return p;
}

async function resolve(raws: string[], options: AwsSmOptions = {}, ctx: Partial<ResolveContext> = {}) {
  const out = await provider(options).resolve(raws.map(parseRef), context(ctx));
  for (const raw of raws) expect(out.has(raw), `outcome for ${raw}`).toBe(true);
  return out;
}

/** Every string an outcome could print must be free of sentinels. */
function assertNoLeak(outcomes: Iterable<Outcome>): void {
  for (const outcome of outcomes) {
    if (outcome.status === "found") continue;
    expect(JSON.stringify(outcome)).not.toContain(MARK);
    if (outcome.status === "error") expect(outcome.message).not.toContain(MARK);
  }
  for (const w of warnings) expect(w).not.toContain(MARK);
}

const found = (value: string | Uint8Array, version?: string) => ({ status: "found", value, ...(version ? { version } : {}) });

beforeAll(async () => {
  server = await startAwsServer();
});
afterEach(async () => {
  assertNoLeak([]);
  for (const p of providers.splice(0)) await p.close?.();
  server.faults.clear();
  server.requests.length = 0;
  server.store.secrets.clear();
  server.store.denied.clear();
  server.store.kmsDenied.clear();
  server.store.deniedOperations.clear();
  server.store.batchPageSize = undefined;
  warnings = [];
});
afterAll(async () => {
  await server.close();
});
warnings = [];

describe("aws-sm refs", () => {
  it("reads a whole string secret and several JSON keys from one secret with one batch call", async () => {
    const stripe = server.seed("prod/stripe", STRIPE);
    const db = server.seed("prod/db", DB);
    const out = await resolve(["aws-sm://prod/stripe", "aws-sm://prod/db#password", "aws-sm://prod/db#port", "aws-sm://prod/db#user"]);
    expect(out.get("aws-sm://prod/stripe")).toEqual(found(STRIPE, stripe.versionId));
    expect(out.get("aws-sm://prod/db#password")).toEqual(found(DB.password, db.versionId));
    expect(out.get("aws-sm://prod/db#port")).toEqual(found("5432", db.versionId));
    expect(out.get("aws-sm://prod/db#user")).toEqual(found("app", db.versionId));
    expect(server.count("BatchGetSecretValue")).toBe(1);
    expect(server.count("GetSecretValue")).toBe(0);
    expect(server.requests[0]!.body).toEqual({ SecretIdList: ["prod/stripe", "prod/db"] });
  });

  it("accepts full and partial ARNs, and prepends AWS_SECRET_PREFIX to bare names only", async () => {
    const { arn } = server.seed("prod/db", DB);
    const partial = arn.slice(0, -7);
    server.seed("other", "plain-s3cr3t-sentinel");
    const refs = [`aws-sm://${arn}#host`, `aws-sm://${partial}#user`, "aws-sm://db#password"];
    const out = await resolve(refs, {}, { env: { ...baseEnv(), AWS_SECRET_PREFIX: "prod/" } });
    expect(out.get(refs[0]!)).toMatchObject(found(DB.host));
    expect(out.get(refs[1]!)).toMatchObject(found(DB.user));
    expect(out.get(refs[2]!)).toMatchObject(found(DB.password));
    expect(server.requests[0]!.body).toEqual({ SecretIdList: [arn, partial, "prod/db"] });
    const viaOption = await resolve(["aws-sm://db#host"], { secretPrefix: "prod/" });
    expect(viaOption.get("aws-sm://db#host")).toMatchObject(found(DB.host));
  });

  it("returns SecretBinary as bytes, and reads #keys from binary JSON", async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    server.seed("bin/raw", bytes);
    server.seed("bin/json", new TextEncoder().encode(JSON.stringify({ token: "t-s3cr3t-sentinel" })));
    const out = await resolve(["aws-sm://bin/raw", "aws-sm://bin/json#token"]);
    const raw = out.get("aws-sm://bin/raw");
    expect(raw?.status).toBe("found");
    expect(raw?.status === "found" && raw.value).toEqual(bytes);
    expect(raw?.status === "found" && raw.value instanceof Uint8Array).toBe(true);
    expect(out.get("aws-sm://bin/json#token")).toMatchObject(found("t-s3cr3t-sentinel"));
  });

  it("reads version stages and version ids with GetSecretValue", async () => {
    const v1 = server.seed("rot", { key: "one-s3cr3t-sentinel" });
    const v2 = server.seed("rot", { key: "two-s3cr3t-sentinel" });
    const v3 = server.seed("rot", { key: "three-s3cr3t-sentinel" }, ["AWSPENDING"]);
    const refs = [
      "aws-sm://rot#key",
      "aws-sm://rot?versionStage=AWSCURRENT#key",
      "aws-sm://rot?versionStage=AWSPREVIOUS#key",
      "aws-sm://rot?versionStage=AWSPENDING#key",
      `aws-sm://rot?versionId=${v1.versionId}#key`,
      `aws-sm://rot?versionId=${v2.versionId}&versionStage=AWSCURRENT`,
      "aws-sm://rot?versionStage=NOPE#key",
      "aws-sm://rot?versionId=00000000-0000-0000-0000-000000000000",
    ];
    const out = await resolve(refs);
    expect(out.get(refs[0]!)).toEqual(found("two-s3cr3t-sentinel", v2.versionId));
    expect(out.get(refs[1]!)).toEqual(found("two-s3cr3t-sentinel", v2.versionId));
    expect(out.get(refs[2]!)).toEqual(found("one-s3cr3t-sentinel", v1.versionId));
    expect(out.get(refs[3]!)).toEqual(found("three-s3cr3t-sentinel", v3.versionId));
    expect(out.get(refs[4]!)).toEqual(found("one-s3cr3t-sentinel", v1.versionId));
    expect(out.get(refs[5]!)).toEqual(found(JSON.stringify({ key: "two-s3cr3t-sentinel" }), v2.versionId));
    expect(out.get(refs[6]!)).toMatchObject({ status: "missing" });
    expect(out.get(refs[7]!)).toMatchObject({ status: "missing" });
    expect(server.count("BatchGetSecretValue")).toBe(1);
    expect(server.count("GetSecretValue")).toBe(7);
    assertNoLeak(out.values());
  });

  it("classifies missing secrets, missing keys, non-JSON secrets and unknown parameters", async () => {
    server.seed("prod/db", DB);
    server.seed("plain", "text-s3cr3t-sentinel");
    const refs = ["aws-sm://nope", "aws-sm://prod/db#nokey", "aws-sm://plain#k", "aws-sm://prod/db?version=2", "aws-sm://prod/db#host"];
    const out = await resolve(refs);
    expect(out.get(refs[0]!)).toMatchObject({ status: "missing" });
    const noKey = out.get(refs[1]!);
    expect(noKey).toMatchObject({ status: "error", kind: "invalid" });
    expect(noKey?.status === "error" && noKey.message).toMatch(/"nokey".*"host", "password", "port", "user"/);
    expect(out.get(refs[2]!)).toMatchObject({ status: "error", kind: "invalid" });
    expect(out.get(refs[3]!)).toMatchObject({ status: "error", kind: "invalid", message: expect.stringContaining('"version"') });
    expect(out.get(refs[4]!)).toMatchObject(found(DB.host));
    assertNoLeak(out.values());
  });
});

describe("aws-sm batching", () => {
  it("measures 60 fields over 25 secrets: 2 BatchGetSecretValue calls and nothing else", async () => {
    const raws: string[] = [];
    for (let i = 0; i < 25; i++) server.seed(`app/s${i}`, { a: `a${i}`, b: `b${i}`, c: `c${i}` });
    for (let i = 0; i < 60; i++) raws.push(`aws-sm://app/s${i % 25}#${"abc"[Math.floor(i / 25)]}`);
    const out = await resolve(raws);
    for (let i = 0; i < 60; i++) expect(out.get(raws[i]!)).toMatchObject(found(`${"abc"[Math.floor(i / 25)]}${i % 25}`));
    const batches = server.requests.filter((r) => r.op === "BatchGetSecretValue");
    expect(server.requests.length).toBe(2);
    expect(batches.map((b) => (b.body.SecretIdList as string[]).length).sort()).toEqual([20, 5]);
    console.info(`aws-sm: 60 fields over 25 secrets -> ${server.requests.length} API calls (${batches.length} BatchGetSecretValue)`);
  });

  it("follows NextToken when the batch answer is paged", async () => {
    for (let i = 0; i < 7; i++) server.seed(`p/s${i}`, `v${i}`);
    server.store.batchPageSize = 3;
    const raws = Array.from({ length: 7 }, (_, i) => `aws-sm://p/s${i}`);
    const out = await resolve(raws);
    raws.forEach((raw, i) => expect(out.get(raw)).toMatchObject(found(`v${i}`)));
    expect(server.count("BatchGetSecretValue")).toBe(3);
  });

  it("reports per-secret errors from the batch response", async () => {
    server.seed("ok", { k: "ok-s3cr3t-sentinel" });
    server.seed("iam", "iam-s3cr3t-sentinel");
    server.seed("kms", "kms-s3cr3t-sentinel");
    server.store.denied.add("iam");
    server.store.kmsDenied.add("kms");
    const refs = ["aws-sm://ok#k", "aws-sm://iam", "aws-sm://kms", "aws-sm://gone#x", "aws-sm://gone#y"];
    const out = await resolve(refs);
    expect(out.get(refs[0]!)).toMatchObject(found("ok-s3cr3t-sentinel"));
    expect(out.get(refs[1]!)).toMatchObject({ status: "error", kind: "denied", message: expect.stringContaining("secretsmanager:GetSecretValue") });
    expect(out.get(refs[2]!)).toMatchObject({ status: "error", kind: "denied", message: expect.stringContaining("kms:Decrypt") });
    expect(out.get(refs[3]!)).toMatchObject({ status: "missing" });
    expect(out.get(refs[4]!)).toMatchObject({ status: "missing" });
    expect(server.requests.map((r) => r.op)).toEqual(["BatchGetSecretValue"]);
    assertNoLeak(out.values());
  });

  it("falls back to GetSecretValue when BatchGetSecretValue is denied, and remembers it", async () => {
    for (let i = 0; i < 5; i++) server.seed(`f/s${i}`, { k: `v${i}` });
    server.store.deniedOperations.add("BatchGetSecretValue");
    server.store.denied.add("f/s4");
    const p = provider();
    const raws = Array.from({ length: 5 }, (_, i) => `aws-sm://f/s${i}#k`);
    const out = await p.resolve(raws.map(parseRef), context());
    raws.slice(0, 4).forEach((raw, i) => expect(out.get(raw)).toMatchObject(found(`v${i}`)));
    expect(out.get(raws[4]!)).toMatchObject({ status: "error", kind: "denied" });
    expect(server.count("BatchGetSecretValue")).toBe(1);
    expect(server.count("GetSecretValue")).toBe(5);
    await p.resolve(raws.map(parseRef), context());
    expect(server.count("BatchGetSecretValue")).toBe(1);
    expect(server.count("GetSecretValue")).toBe(10);
  });
});

describe("aws-sm batch edge cases", () => {
  it("asks GetSecretValue for ids a batch answer left out", async () => {
    server.seed("x", "x-s3cr3t-sentinel");
    server.seed("y", "y-s3cr3t-sentinel");
    server.faults.add({ kind: "malformed", body: JSON.stringify({ SecretValues: [], Errors: [] }) }, { match: "BatchGet", times: 1 });
    const out = await resolve(["aws-sm://x", "aws-sm://y"]);
    expect(out.get("aws-sm://x")).toMatchObject(found("x-s3cr3t-sentinel"));
    expect(out.get("aws-sm://y")).toMatchObject(found("y-s3cr3t-sentinel"));
    expect(server.requests.map((r) => r.op)).toEqual(["BatchGetSecretValue", "GetSecretValue", "GetSecretValue"]);
  });

  it("pins down a batch-wide InvalidParameterException secret by secret", async () => {
    server.seed("x", "x-s3cr3t-sentinel");
    const body = JSON.stringify({ __type: "InvalidParameterException", message: "Invalid SecretId" });
    server.faults.add({ kind: "status", status: 400, body }, { match: "BatchGet", times: 1 });
    server.faults.add({ kind: "status", status: 400, body }, { match: "bad!id", times: 1 });
    const out = await resolve(["aws-sm://x", "aws-sm://bad!id"]);
    expect(out.get("aws-sm://x")).toMatchObject(found("x-s3cr3t-sentinel"));
    expect(out.get("aws-sm://bad!id")).toMatchObject({ status: "error", kind: "invalid" });
    expect(server.count("BatchGetSecretValue")).toBe(1);
    expect(server.count("GetSecretValue")).toBe(2);
  });
});

describe("aws-sm faults", () => {
  it("retries throttling with back-off and succeeds within maxAttempts", async () => {
    server.seed("t", "t-s3cr3t-sentinel");
    server.throttle(2);
    const out = await resolve(["aws-sm://t"]);
    expect(out.get("aws-sm://t")).toMatchObject(found("t-s3cr3t-sentinel"));
    expect(server.count("BatchGetSecretValue")).toBe(3);
  });

  it.each([
    { name: "throttling", inject: () => server.throttle(100), kind: "unavailable", attempts: 3 },
    { name: "HTTP 500", inject: () => server.faults.add({ kind: "status", status: 500 }), kind: "unavailable", attempts: 3 },
    { name: "HTTP 503", inject: () => server.faults.add({ kind: "status", status: 503 }), kind: "unavailable", attempts: 3 },
    { name: "HTTP 429", inject: () => server.faults.add({ kind: "status", status: 429 }), kind: "unavailable", attempts: 3 },
    { name: "connection reset", inject: () => server.faults.add({ kind: "reset" }), kind: "unavailable", attempts: 3 },
    { name: "HTTP 403", inject: () => server.faults.add({ kind: "status", status: 403 }), kind: "denied", attempts: 1 },
    { name: "malformed body", inject: () => server.faults.add({ kind: "malformed" }), kind: "invalid", attempts: 1 },
  ])("classifies $name as $kind after $attempts attempt(s)", async ({ inject, kind, attempts }) => {
    server.seed("f", "f-s3cr3t-sentinel");
    inject();
    const out = await resolve(["aws-sm://f", "aws-sm://f?versionStage=AWSCURRENT"]);
    expect(out.get("aws-sm://f")).toMatchObject({ status: "error", kind });
    expect(out.get("aws-sm://f?versionStage=AWSCURRENT")).toMatchObject({ status: "error", kind });
    expect(server.count("BatchGetSecretValue")).toBe(attempts);
    expect(server.count("GetSecretValue")).toBe(attempts);
    assertNoLeak(out.values());
  });

  it("waits through latency", async () => {
    server.seed("slow", "slow-s3cr3t-sentinel");
    server.faults.add({ kind: "latency", ms: 50 });
    const out = await resolve(["aws-sm://slow"]);
    expect(out.get("aws-sm://slow")).toMatchObject(found("slow-s3cr3t-sentinel"));
  });

  it("gives up on a hung server when the start-up deadline passes", async () => {
    server.seed("hang", "hang-s3cr3t-sentinel");
    server.faults.add({ kind: "hang" });
    const out = await resolve(["aws-sm://hang"], {}, { signal: AbortSignal.timeout(300) });
    expect(out.get("aws-sm://hang")).toMatchObject({ status: "error", kind: "unavailable", message: expect.stringContaining("deadline") });
    expect(server.count("BatchGetSecretValue")).toBe(1);
  });
});

describe("aws-sm configuration", () => {
  it("uses AWS_ENDPOINT_URL_SECRETS_MANAGER from the injected env when no endpoint option is given", async () => {
    server.seed("e", "e-s3cr3t-sentinel");
    const p = awsSm({ retryBaseDelayMs: 1 });
    providers.push(p);
    const env = { ...baseEnv(), AWS_REGION: "", AWS_DEFAULT_REGION: "eu-west-1", AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url };
    const out = await p.resolve([parseRef("aws-sm://e")], context({ env }));
    expect(out.get("aws-sm://e")).toMatchObject(found("e-s3cr3t-sentinel"));
  });

  it("uses explicit credentials and region options", async () => {
    server.seed("c", "c-s3cr3t-sentinel");
    const credentials = async () => ({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY });
    const out = await resolve(["aws-sm://c"], { credentials, region: "eu-central-1" }, { env: {} });
    expect(out.get("aws-sm://c")).toMatchObject(found("c-s3cr3t-sentinel"));
  });

  it("takes the region from options, then AWS_REGION, then AWS_DEFAULT_REGION", async () => {
    server.seed("r", "r-s3cr3t-sentinel");
    await resolve(["aws-sm://r"], { region: "ap-south-1" });
    await resolve(["aws-sm://r"], {}, { env: { ...baseEnv(), AWS_DEFAULT_REGION: "eu-west-1" } });
    await resolve(["aws-sm://r"], {}, { env: { ...baseEnv(), AWS_REGION: "", AWS_DEFAULT_REGION: "eu-west-1" } });
    expect(server.requests.map((r) => r.region)).toEqual(["ap-south-1", "us-east-1", "eu-west-1"]);
  });

  it("reads an ARN from the region it names, and batches same-region ARNs with bare names", async () => {
    const { arn } = server.seed("home", "h-s3cr3t-sentinel");
    const away = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:away-AbCdEf";
    const out = await resolve([`aws-sm://${arn}`, "aws-sm://home", `aws-sm://${away}`, `aws-sm://${away}?versionStage=AWSPREVIOUS`]);
    expect(out.get(`aws-sm://${arn}`)).toMatchObject(found("h-s3cr3t-sentinel"));
    expect(out.get(`aws-sm://${away}`)).toMatchObject({ status: "missing" });
    const calls = server.requests.map((r) => `${r.op}@${r.region}`).sort();
    expect(calls).toEqual(["BatchGetSecretValue@eu-west-1", "BatchGetSecretValue@us-east-1", "GetSecretValue@eu-west-1"]);
  });

  it("builds the SDK config from the injected env like the SDK would from process.env", () => {
    const env = { AWS_ENDPOINT_URL: "http://global", AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://sm", AWS_PROFILE: "dev" };
    expect(clientConfig({}, env)).toEqual({ endpoint: "http://sm", profile: "dev", maxAttempts: 1 });
    expect(clientConfig({}, { AWS_ENDPOINT_URL: "http://global" }).endpoint).toBe("http://global");
    expect(clientConfig({}, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }).endpoint).toBeUndefined();
    expect(clientConfig({ endpoint: "http://opt" }, env).endpoint).toBe("http://opt");
    const withKeys = clientConfig({}, { ...env, ...baseEnv(), AWS_SESSION_TOKEN: "tok-s3cr3t-sentinel" });
    expect(withKeys.credentials).toEqual({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, sessionToken: "tok-s3cr3t-sentinel" });
    expect(withKeys.profile).toBeUndefined();
    expect(withKeys.region).toBe("us-east-1");
  });

  it("reports failing credentials as denied without echoing the provider's message", async () => {
    server.seed("c", "c-s3cr3t-sentinel");
    const credentials = async () => {
      throw Object.assign(new Error(`could not load ${SECRET_ACCESS_KEY}`), { name: "CredentialsProviderError" });
    };
    const out = await resolve(["aws-sm://c"], { credentials });
    expect(out.get("aws-sm://c")).toMatchObject({ status: "error", kind: "denied", message: expect.stringContaining("no AWS credentials") });
    expect(server.requests).toHaveLength(0);
    assertNoLeak(out.values());
  });

  it("never puts access keys or secret values in messages (leak test)", async () => {
    server.seed("leak/ok", { k: "v-s3cr3t-sentinel" });
    server.seed("leak/iam", "iam-s3cr3t-sentinel");
    server.store.denied.add("leak/iam");
    server.faults.add(
      { kind: "status", status: 400, body: JSON.stringify({ __type: "InvalidRequestException", message: `echo ${ACCESS_KEY_ID} ${STRIPE}` }) },
      { match: "leak/bad" },
    );
    server.faults.add(
      { kind: "status", status: 400, body: JSON.stringify({ __type: `Bad${MARK}Type`, message: SECRET_ACCESS_KEY }) },
      { match: "leak/odd" },
    );
    const refs = ["aws-sm://leak/ok#missing", "aws-sm://leak/iam", "aws-sm://leak/bad?versionStage=X", "aws-sm://leak/odd?versionId=1", "aws-sm://leak/ok#k"];
    const out = await resolve(refs);
    expect(out.get(refs[0]!)).toMatchObject({ status: "error", kind: "invalid" });
    expect(out.get(refs[1]!)).toMatchObject({ status: "error", kind: "denied" });
    expect(out.get(refs[2]!)).toMatchObject({ status: "error", kind: "invalid" });
    expect(out.get(refs[3]!)).toMatchObject({ status: "error", kind: "invalid" });
    assertNoLeak(out.values());
  });
});

describe("aws test server", () => {
  const call = (headers: Record<string, string>) =>
    fetch(server.url, { method: "POST", headers: { "x-amz-target": "secretsmanager.ListSecrets", "content-type": "application/x-amz-json-1.1", ...headers }, body: "{}" });
  const good = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "a".repeat(64);

  it.each<{ name: string; headers: Record<string, string>; status: number; type?: string }>([
    { name: "unsigned", headers: {}, status: 400, type: "MissingAuthenticationTokenException" },
    { name: "malformed Authorization", headers: { authorization: "Bearer x" }, status: 400, type: "IncompleteSignatureException" },
    { name: "no X-Amz-Date", headers: { authorization: good }, status: 400, type: "IncompleteSignatureException" },
    {
      name: "wrong service",
      headers: { authorization: good.replace("/secretsmanager/", "/s3/"), "x-amz-date": "20260101T000000Z" },
      status: 403,
      type: "InvalidSignatureException",
    },
    { name: "signed", headers: { authorization: good, "x-amz-date": "20260101T000000Z" }, status: 200, type: undefined },
  ])("$name request -> $status", async ({ headers, status, type }) => {
    const response = await call(headers);
    expect(response.status).toBe(status);
    const body = (await response.json()) as { __type?: string };
    expect(body.__type).toBe(type);
  });
});
