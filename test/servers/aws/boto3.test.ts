/** The AWS test server driven by boto3 (Debian: python3-boto3), an independent client, for the calls we rely on. */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAwsServer, type AwsServer } from "./server.ts";

const SCRIPT = fileURLToPath(new URL("./boto3_client.py", import.meta.url));
const MARK = "s3cr3t-sentinel";
const ENV = {
  AWS_ACCESS_KEY_ID: "AKIAS3CR3T-s3cr3t-sentinel-key-id",
  AWS_SECRET_ACCESS_KEY: "boto-s3cr3t-sentinel-secret-access-key",
};
const hasBoto3 = spawnSync("python3", ["-c", "import boto3"], { stdio: "ignore" }).status === 0;
if (!hasBoto3) console.warn("SKIPPED boto3 tests: python3 with boto3 is not available; install the apt package python3-boto3");

type Result = { ok?: any; error?: { code: string; status: number } };
interface Call {
  op: string;
  params?: Record<string, unknown>;
  paginate?: boolean;
}

let server: AwsServer;

function boto3(calls: Call[], attempts = 1): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [SCRIPT], {
      env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", ...ENV },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`boto3 script failed (${code}): ${err.replaceAll(MARK, "<marker>").slice(-2000)}`));
      resolve(JSON.parse(out) as Result[]);
    });
    child.stdin.end(JSON.stringify({ endpoint: server.url, region: "us-east-1", attempts, calls }));
  });
}

const b64 = (text: string) => ({ $base64: Buffer.from(text).toString("base64") });

describe.skipIf(!hasBoto3)("aws test server with boto3", () => {
  beforeAll(async () => {
    server = await startAwsServer();
  });
  afterEach(() => {
    server.faults.clear();
    server.store.secrets.clear();
    server.store.denied.clear();
    server.store.kmsDenied.clear();
    server.requests.length = 0;
  });
  afterAll(async () => {
    await server.close();
  });

  it("creates, versions and reads secrets by stage and version id", async () => {
    const [created, put, current, previous, described, binary, readBinary] = await boto3([
      { op: "create_secret", params: { Name: "prod/db", SecretString: '{"password":"pw-s3cr3t-sentinel"}', Description: "db" } },
      { op: "put_secret_value", params: { SecretId: "prod/db", SecretString: '{"password":"pw2-s3cr3t-sentinel"}' } },
      { op: "get_secret_value", params: { SecretId: "prod/db" } },
      { op: "get_secret_value", params: { SecretId: "prod/db", VersionStage: "AWSPREVIOUS" } },
      { op: "describe_secret", params: { SecretId: "prod/db" } },
      { op: "create_secret", params: { Name: "bin", SecretBinary: b64("\u0000bytes-s3cr3t-sentinel") } },
      { op: "get_secret_value", params: { SecretId: "bin" } },
    ]);
    expect(created!.ok).toMatchObject({ Name: "prod/db", ARN: expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:prod\/db-\w{6}$/) });
    expect(created!.ok.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(put!.ok).toMatchObject({ Name: "prod/db", VersionStages: ["AWSCURRENT"] });
    expect(current!.ok).toMatchObject({ SecretString: '{"password":"pw2-s3cr3t-sentinel"}', VersionId: put!.ok.VersionId, VersionStages: ["AWSCURRENT"] });
    expect(current!.ok.CreatedDate.$datetime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(previous!.ok).toMatchObject({ VersionId: created!.ok.VersionId, VersionStages: ["AWSPREVIOUS"] });
    expect(described!.ok.VersionIdsToStages).toEqual({ [created!.ok.VersionId]: ["AWSPREVIOUS"], [put!.ok.VersionId]: ["AWSCURRENT"] });
    expect(described!.ok).toMatchObject({ Name: "prod/db", Description: "db", LastChangedDate: { $datetime: expect.any(String) } });
    expect(binary!.ok.Name).toBe("bin");
    expect(readBinary!.ok.SecretBinary).toEqual(b64("\u0000bytes-s3cr3t-sentinel"));
    const [pinned] = await boto3([{ op: "get_secret_value", params: { SecretId: created!.ok.ARN, VersionId: created!.ok.VersionId } }]);
    expect(pinned!.ok.SecretString).toBe('{"password":"pw-s3cr3t-sentinel"}');
  });

  it("answers BatchGetSecretValue with values and per-secret errors", async () => {
    server.seed("a", "a-s3cr3t-sentinel");
    server.seed("iam", "iam-s3cr3t-sentinel");
    server.seed("kms", "kms-s3cr3t-sentinel");
    server.store.denied.add("iam");
    server.store.kmsDenied.add("kms");
    const [batch, tooMany] = await boto3([
      { op: "batch_get_secret_value", params: { SecretIdList: ["a", "missing", "iam", "kms"] } },
      { op: "batch_get_secret_value", params: { SecretIdList: Array.from({ length: 21 }, (_, i) => `s${i}`) } },
    ]);
    expect(batch!.ok.SecretValues).toHaveLength(1);
    expect(batch!.ok.SecretValues[0]).toMatchObject({ Name: "a", SecretString: "a-s3cr3t-sentinel", VersionStages: ["AWSCURRENT"] });
    expect(batch!.ok.Errors.map((e: { SecretId: string; ErrorCode: string }) => [e.SecretId, e.ErrorCode])).toEqual([
      ["missing", "ResourceNotFoundException"],
      ["iam", "AccessDeniedException"],
      ["kms", "DecryptionFailure"],
    ]);
    expect(tooMany!.error?.code).toBe("InvalidParameterException");
  });

  it("lists secrets with pagination and filters", async () => {
    for (let i = 0; i < 5; i++) server.seed(`list/s${i}`, `v${i}`);
    server.seed("other", "x");
    const [pages, filtered] = await boto3([
      { op: "list_secrets", params: { PaginationConfig: { PageSize: 2 } }, paginate: true },
      { op: "list_secrets", params: { Filters: [{ Key: "name", Values: ["list/"] }] } },
    ]);
    expect(pages!.ok).toHaveLength(3);
    expect(pages!.ok.flatMap((p: { SecretList: { Name: string }[] }) => p.SecretList.map((s) => s.Name))).toHaveLength(6);
    expect(filtered!.ok.SecretList.map((s: { Name: string }) => s.Name)).toEqual(["list/s0", "list/s1", "list/s2", "list/s3", "list/s4"]);
    expect(filtered!.ok.SecretList[0].SecretVersionsToStages).toBeTypeOf("object");
  });

  it("returns AWS error codes and statuses, including injected throttling and faults", async () => {
    server.seed("x", "x-s3cr3t-sentinel");
    server.store.denied.add("x");
    server.throttle(1, "DescribeSecret");
    server.faults.add({ kind: "status", status: 500, body: JSON.stringify({ __type: "InternalServiceError", message: "boom" }) }, { match: "ListSecrets", times: 1 });
    const results = await boto3([
      { op: "get_secret_value", params: { SecretId: "nope" } },
      { op: "get_secret_value", params: { SecretId: "x" } },
      { op: "describe_secret", params: { SecretId: "x" } },
      { op: "list_secrets" },
      { op: "create_secret", params: { Name: "x", SecretString: "dup" } },
      { op: "get_secret_value", params: { SecretId: "x", VersionStage: "AWSPENDING" } },
    ]);
    expect(results.map((r) => r.error)).toEqual([
      { code: "ResourceNotFoundException", status: 400 },
      { code: "AccessDeniedException", status: 400 },
      { code: "ThrottlingException", status: 400 },
      { code: "InternalServiceError", status: 500 },
      { code: "ResourceExistsException", status: 400 },
      { code: "AccessDeniedException", status: 400 },
    ]);
    // boto3 signs every request with SigV4; the server accepted the shape.
    expect(server.requests.length).toBe(6);
  });

  it("is retried by boto3 on throttling and 5xx, which botocore recognises as transient", async () => {
    server.seed("r", "r-s3cr3t-sentinel");
    server.throttle(1, "GetSecretValue");
    server.faults.add({ kind: "status", status: 503, body: JSON.stringify({ __type: "ServiceUnavailable", message: "x" }) }, { match: "BatchGet", times: 1 });
    const [get, batch] = await boto3(
      [{ op: "get_secret_value", params: { SecretId: "r" } }, { op: "batch_get_secret_value", params: { SecretIdList: ["r"] } }],
      3,
    );
    expect(get!.ok.SecretString).toBe("r-s3cr3t-sentinel");
    expect(batch!.ok.SecretValues[0].SecretString).toBe("r-s3cr3t-sentinel");
    expect(server.requests.map((r) => r.op)).toEqual(["GetSecretValue", "GetSecretValue", "BatchGetSecretValue", "BatchGetSecretValue"]);
  });
});
