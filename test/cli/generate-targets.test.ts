// `secrets-gen generate --target …` through the real CLI: each target with its flags, the files
// it writes parsed and validated, the flags' errors and exit codes, and --json for CI.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { beforeAll, describe, expect, it } from "vitest";
import { TARGETS } from "../../src/codegen/targets/index.ts";
import { runCli, type CliResult } from "../helpers/cli.ts";
import { patchedDeployment, validateManifest, yamlDocuments } from "../helpers/manifests.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";

const FIXTURE = join(import.meta.dirname, "../fixtures/targets/deploy.schema.ts");

// Every target, each with flags that change its output.
const TARGET_ARGS = [
  "--target", "external-secrets", "--namespace", "shop", "--store", "aws-sm=aws-prod", "--store", "vault=vault-prod", "--store-kind", "ClusterSecretStore", "--refresh-interval", "15m", "--name-prefix", "shop",
  "--target", "k8s-secret", "--secret-name", "shop-secrets", "--deployment", "shop", "--container", "web", "--mount-path", "/var/run/shop",
  "--target", "compose", "--service", "web", "--secrets-dir", "./.secrets",
  "--target", "vault-policy", "--vault-mount", "apps", "--kv-version", "1",
  "--target", "aws-iam", "--region", "eu-west-1", "--account", "123456789012", "--aws-secret-prefix", "shop/",
];

interface JsonReport {
  check: boolean;
  ok: boolean;
  files: { path: string; target?: string; status: string }[];
}

describe("secrets-gen generate --target with flags", () => {
  const dir = tempDir("secrets-gen-generate-targets-");
  const args = ["generate", "-s", FIXTURE, "-o", "generated", "--env-example", ".env.example", "--target-out", "deploy", ...TARGET_ARGS];
  const read = (name: string): string => readFileSync(join(dir, "deploy", name), "utf8");
  let written: CliResult;
  let report: JsonReport;

  beforeAll(async () => {
    written = await runCli([...args, "--json"], { cwd: dir });
    report = JSON.parse(written.stdout) as JsonReport;
  }, 180_000);

  it("lists every file written, and which target wrote it, as JSON on stdout", () => {
    expect(written.stderr).toBe("");
    expect(written.code).toBe(0);
    expect(report).toMatchObject({ check: false, ok: true });
    expect(report.files.filter((file) => file.target !== undefined)).toEqual([
      ["external-secrets", "external-secrets.yaml"], ["k8s-secret", "k8s-secret.yaml"], ["k8s-secret", "k8s-deployment-patch.yaml"],
      ["compose", "compose.secrets.yaml"], ["vault-policy", "vault-policy.hcl"], ["aws-iam", "aws-iam-policy.json"],
    ].map(([target, name]) => ({ path: `deploy/${name}`, target, status: "written" })));
    // The accessor's own files come first, with no target.
    expect(report.files.length).toBeGreaterThan(6);
    for (const file of report.files.slice(0, -6)) expect(file).toEqual({ path: file.path, status: "written" });
  });

  it("external-secrets: valid ExternalSecrets in the namespace, using the stores and settings given", () => {
    const documents = yamlDocuments(read("external-secrets.yaml"));
    for (const doc of documents) {
      validateManifest(doc);
      expect(doc).toMatchObject({ metadata: { namespace: "shop" }, spec: { refreshInterval: "15m", secretStoreRef: { kind: "ClusterSecretStore" } } });
      expect(doc.metadata.name).toMatch(/^shop-/);
    }
    expect(documents.map((doc) => doc.spec.secretStoreRef.name)).toEqual(["vault-prod", "vault-kv-team-a", "aws-prod", "gcp-sm-my-proj", "gcp-sm", "azure-kv-myvault"]);
    expect(read("external-secrets.yaml")).toMatch(/run `npx secrets-gen --target external-secrets --namespace shop --store aws-sm=aws-prod --store vault=vault-prod --store-kind ClusterSecretStore --name-prefix shop --refresh-interval 15m --vault-mount apps --aws-secret-prefix shop\/` to regenerate/);
    // Flags two targets share (--vault-mount, --aws-secret-prefix) configure both.
    const aws = documents.find((doc) => doc.spec.secretStoreRef.name === "aws-prod")!;
    expect(aws.spec.data[0].remoteRef.key).toBe("shop/prod/stripe");
  });

  it("k8s-secret: a valid Secret, and a patch that makes a valid Deployment mounting it", () => {
    const [secret] = yamlDocuments(read("k8s-secret.yaml"));
    validateManifest(secret!);
    expect(secret!.metadata).toEqual({ name: "shop-secrets", namespace: "shop" }); // --namespace is shared with external-secrets
    const patched = patchedDeployment(yamlDocuments(read("k8s-deployment-patch.yaml"))[0]!, "web");
    validateManifest(patched);
    expect(patched.metadata.name).toBe("shop");
    expect(patched.spec.template.spec.containers[0]).toMatchObject({ name: "web", env: [{ name: "SECRETS_K8S_DIR", value: "/var/run/shop" }], volumeMounts: [{ mountPath: "/var/run/shop" }] });
    expect(patched.spec.template.spec.volumes).toEqual([{ name: "secrets", secret: { secretName: "shop-secrets" } }]);
  });

  it("compose: the service given reads each secret from the directory given", () => {
    const [compose] = yamlDocuments(read("compose.secrets.yaml"));
    expect(Object.keys(compose!.services)).toEqual(["web"]);
    expect(compose!.secrets.api_token).toEqual({ file: "./.secrets/api_token" });
  });

  it("vault-policy: parses as HCL, with KV v1 paths under the mount given", async () => {
    const parsed = (await parseHcl("vault-policy.hcl", read("vault-policy.hcl"))) as { path: Record<string, unknown> };
    expect(Object.keys(parsed.path)).toEqual(["apps/app/db", "kv/team-a/team/api"]);
  });

  it("aws-iam: parses as JSON, with the region, account and prefix given", () => {
    const policy = JSON.parse(read("aws-iam-policy.json"));
    expect(policy.Statement[0].Resource).toContain("arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/stripe-??????");
  });

  it("--check reports drift: a diff as text (none for a file that may hold values), statuses as JSON", async () => {
    writeFileSync(join(dir, "deploy", "vault-policy.hcl"), "# edited by hand\n");
    // A user filled the skeleton in place: --check must say it differs without printing it.
    writeFileSync(join(dir, "deploy", "k8s-secret.yaml"), read("k8s-secret.yaml").replace('"<set me>"', JSON.stringify(secretValue("k8s"))));
    const [text, json] = await Promise.all([runCli([...args, "--check"], { cwd: dir }), runCli([...args, "--check", "--json"], { cwd: dir })]);

    expect(text.code).toBe(1);
    expect(text.stdout).toContain("-# edited by hand\n");
    expect(text.stdout).toContain("deploy/k8s-secret.yaml: out of date (no diff shown: this file may hold secret values)\n");
    expect(text.stderr).toMatch(/^secrets-gen: 2 generated file\(s\) are out of date/);

    expect(json.code).toBe(1);
    const checked = JSON.parse(json.stdout) as JsonReport;
    expect(checked).toMatchObject({ check: true, ok: false });
    expect(checked.files.map((file) => file.path)).toEqual(report.files.map((file) => file.path));
    const stale = checked.files.filter((file) => file.status !== "unchanged");
    expect(stale).toEqual([
      { path: "deploy/k8s-secret.yaml", target: "k8s-secret", status: "out-of-date" },
      { path: "deploy/vault-policy.hcl", target: "vault-policy", status: "out-of-date" },
    ]);
    expectNoSentinel(written.stdout, written.stderr, text.stdout, text.stderr, json.stdout, json.stderr);
  }, 180_000);
});

describe("secrets-gen generate --target: usage errors (exit code 2)", () => {
  it.each([
    [["--target", "aws-iam", "--account", "1234"], '--account takes a 12-digit AWS account ID, not "1234": write e.g. --account 123456789012'],
    [["--target", "external-secrets", "--store-kind", "Store"], '--store-kind takes SecretStore or ClusterSecretStore, not "Store": write e.g. --store-kind ClusterSecretStore'],
    [["--target", "compose", "--region", "eu-west-1"], "--region is not an option of the target compose (it belongs to --target aws-iam): use --service, --secrets-dir"],
    [["--namespace", "shop"], "--namespace is an option of a deployment target: add --target external-secrets or --target k8s-secret, or drop --namespace"],
    [["--target", "compose", "--colour", "red"], "Unknown option '--colour'"], // the rest of node:util's message varies by Node version
    [["--target", "helm"], 'unknown target "helm": use one of external-secrets, k8s-secret, compose, vault-policy, aws-iam'],
  ])("%j", async (argv, message) => {
    const result = await runCli(["generate", "-s", FIXTURE, ...argv]);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr.startsWith(`secrets-gen: ${message}`)).toBe(true);
    expect(result.stderr).toMatch(/: run `secrets-gen --help` for usage\n$/);
  }, 60_000);

  it("--help lists every target and, under it, its flags", async () => {
    const help = await runCli(["generate", "--help"]);
    expect(help.code).toBe(0);
    for (const [name, { flags }] of Object.entries(TARGETS)) {
      const start = help.stdout.indexOf(`  --target ${name}\n`);
      expect(start).toBeGreaterThan(0);
      const section = help.stdout.slice(start);
      for (const [flag, { value }] of Object.entries(flags)) expect(section).toContain(`--${flag} ${value}`);
    }
    expect(help.stdout).toContain("--json");
  }, 60_000);
});
