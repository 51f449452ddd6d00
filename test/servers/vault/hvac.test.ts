/**
 * Faithfulness check: Debian's python3-hvac (an independent Vault client) drives the test server,
 * and the answers are compared with the response shapes in Vault's API docs. Skipped, loudly,
 * when no Python interpreter can import hvac.
 */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import vault from "../../../src/providers/vault.ts";
import { parseRef } from "../../../src/schema/ref.ts";
import { startVaultServer, type VaultTestServer } from "./server.ts";

const SCRIPT = fileURLToPath(new URL("./hvac_client.py", import.meta.url));
const ROOT_TOKEN = "hvs.s3cr3t-sentinel-hvac-root";
const NARROW_TOKEN = "hvs.s3cr3t-sentinel-hvac-narrow";
const ROLE_ID = "role-s3cr3t-sentinel-hvac";
const SECRET_ID = "secret-id-s3cr3t-sentinel-hvac";
const JWT = "eyJ.s3cr3t-sentinel-hvac-jwt.sig";
const DB_URL = "postgres://app:s3cr3t-sentinel-hvac@db/app";

/** `python3` may be a pyenv/venv interpreter without Debian's dist-packages; try the system one too. */
const python = ["python3", "/usr/bin/python3"].find((bin) => spawnSync(bin, ["-c", "import hvac"], { stdio: "ignore" }).status === 0);
if (!python) {
  console.warn("\n*** SKIPPING the hvac faithfulness test: no python3 can `import hvac`. Install it with `apt-get install python3-hvac`. ***\n");
}

type Result = { ok?: any; error?: string };

function runHvac(input: Record<string, string>): Promise<Record<string, Result>> {
  return new Promise((resolve, reject) => {
    const child = spawn(python!, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`hvac script exited ${code}: ${stderr.slice(-2000)}`))));
    child.stdin.end(JSON.stringify(input));
  });
}

describe.skipIf(!python)("the Vault test server, driven by python3-hvac", () => {
  let server: VaultTestServer;
  let results: Record<string, Result>;

  beforeAll(async () => {
    server = await startVaultServer({ rootToken: ROOT_TOKEN });
    server.putSecret("secret", "app/db", { url: "postgres://old" });
    server.putSecret("secret", "app/db", { url: DB_URL, user: "app" });
    server.putSecret("secret", "app/gone", { a: "b" });
    server.deleteVersion("secret", "app/gone", 1);
    server.mountKv("kv/team-a", 2);
    server.putSecret("kv/team-a", "svc/cfg", { port: 8080 });
    server.mountKv("legacy", 1);
    server.putSecret("legacy", "app/db", { url: DB_URL });
    server.setPolicy("app-read", { "secret/data/app/*": ["read"] });
    server.setPolicy("narrow", { "secret/data/other": ["read"] });
    server.createToken({ policies: ["narrow"], id: NARROW_TOKEN, ttl: 600 });
    server.addAppRole("web", { roleId: ROLE_ID, secretIds: [SECRET_ID], policies: ["app-read"], ttl: 60, maxTtl: 600 });
    server.addKubernetesRole("app", { jwts: [JWT], policies: ["app-read"], ttl: 60 });
    server.mountKv("secret", 2, { namespace: "team-b" });
    server.putSecret("secret", "svc/key", { value: "x" }, { namespace: "team-b" });
    server.setPolicy("svc", { "secret/data/svc/*": ["read"] }, { namespace: "team-b" });
    server.addAppRole("svc", { roleId: ROLE_ID, secretIds: [SECRET_ID], policies: ["svc"], ttl: 60 }, { namespace: "team-b" });
    results = await runHvac({
      url: server.url, root_token: ROOT_TOKEN, narrow_token: NARROW_TOKEN, role_id: ROLE_ID, secret_id: SECRET_ID,
      k8s_role: "app", jwt: JWT, namespace: "team-b", ns_role_id: ROLE_ID, ns_secret_id: SECRET_ID,
    });
  });

  afterAll(async () => server?.close());

  it("accepts the token and answers lookup-self and sys/health like Vault", () => {
    expect(results.token_is_authenticated).toEqual({ ok: true });
    expect(Object.keys(results.lookup_self!.ok)).toEqual(expect.arrayContaining(["accessor", "policies", "ttl", "renewable", "type", "id"]));
    expect(results.health!.ok).toMatchObject({ initialized: true, sealed: false, standby: false });
  });

  it("serves KV v2 reads, pinned versions and nested mounts in the documented envelope", () => {
    const read = results.kv2_read!.ok;
    expect(Object.keys(read)).toEqual(expect.arrayContaining(["request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info", "warnings", "auth"]));
    expect(read.data.data).toEqual({ url: DB_URL, user: "app" });
    expect(read.data.metadata).toMatchObject({ version: 2, destroyed: false, deletion_time: "", custom_metadata: null });
    expect(results.kv2_read_version!.ok.data).toMatchObject({ data: { url: "postgres://old" }, metadata: { version: 1 } });
    expect(results.kv2_read_nested_mount!.ok.data.data).toEqual({ port: 8080 });
    expect(results.kv2_write!.ok.data).toMatchObject({ version: 1, destroyed: false });
  });

  it("answers 404 for deleted and absent secrets, and 403 for a policy miss or a bad token", () => {
    expect(results.kv2_read_deleted).toEqual({ error: "InvalidPath" });
    expect(results.kv2_read_absent).toEqual({ error: "InvalidPath" });
    expect(results.forbidden_read).toEqual({ error: "Forbidden" });
    expect(results.bad_token).toEqual({ error: "Forbidden" });
  });

  it("serves KV v1 reads with the mount's lease and the mount lookup the CLI uses", () => {
    expect(results.kv1_read!.ok).toMatchObject({ data: { url: DB_URL }, lease_duration: 2_764_800, renewable: false });
    expect(results.ui_mounts!.ok.data).toMatchObject({ type: "kv", path: "secret/", options: { version: "2" } });
  });

  it("logs in with AppRole (and renews), Kubernetes and in a namespace", () => {
    expect(results.approle!.ok).toMatchObject({ auth: { lease_duration: 60, renewable: true, token_type: "service", metadata: { role_name: "web" } }, url_key: ["url", "user"], renewed: 60 });
    expect(results.approle_bad_secret).toEqual({ error: "InvalidRequest" });
    expect(results.kubernetes).toEqual({ ok: ["url", "user"] });
    expect(results.namespace).toEqual({ ok: ["value"] });
  });

  it("serves what hvac wrote to node-vault through the provider", async () => {
    const provider = vault({ homeDir: "/nonexistent" });
    const ctx = { env: { VAULT_ADDR: server.url, VAULT_TOKEN: ROOT_TOKEN }, signal: AbortSignal.timeout(5000), production: false, warn: () => {} };
    const result = await provider.resolve([parseRef("vault://hvac/new#k")], ctx);
    await provider.close?.();
    expect(result.get("vault://hvac/new#k")).toEqual({ status: "found", value: "from-hvac", version: "1" });
  });
});
