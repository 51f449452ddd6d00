import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { z } from "zod";
import { emitTargets, TARGETS, type TargetName } from "../../src/codegen/targets/index.ts";
import { toYaml, type YamlValue } from "../../src/codegen/targets/yaml.ts";
import { defineSecrets, secret, type SecretsSchema } from "../../src/schema/define.ts";
import { toManifest } from "../../src/schema/manifest.ts";
import schema from "../fixtures/targets/deploy.schema.ts";
import { runCli } from "../helpers/cli.ts";
import { expectNoSentinel } from "../helpers/sentinels.ts";
import { tempDir } from "../helpers/tmp.ts";

const context = { source: "../deploy.schema.ts" };
const manifest = toManifest(schema.fields);

function emit(name: TargetName, options: object = {}, from: SecretsSchema = schema): Record<string, string> {
  const files = TARGETS[name].emit(toManifest(from.fields), { ...context, ...options });
  return Object.fromEntries(files.map((file) => [file.name, file.content]));
}

const yamlDocuments = (text: string): Record<string, any>[] =>
  parseAllDocuments(text).map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS();
  });

const withoutFirstLine = (text: string): string => text.slice(text.indexOf("\n") + 1);

const only = (from: string | string[]) => defineSecrets({ FIELD: secret(z.string(), { from }) });

describe("external-secrets", () => {
  const documents = yamlDocuments(emit("external-secrets")["external-secrets.yaml"]!);
  const byStore = Object.fromEntries(documents.map((doc) => [doc.spec.secretStoreRef.name, doc]));

  it("writes one ExternalSecret per store, each into its own Secret", () => {
    expect(Object.keys(byStore)).toEqual(["vault", "vault-kv-team-a", "aws-sm", "gcp-sm-my-proj", "gcp-sm", "azure-kv-myvault"]);
    for (const doc of documents) {
      expect(doc).toMatchObject({ apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", spec: { refreshInterval: "1h", secretStoreRef: { kind: "SecretStore" } } });
      expect(doc.spec.target).toEqual({ name: doc.metadata.name, creationPolicy: "Owner" });
    }
  });

  it("keys each entry by the field's file name and translates the ref per provider", () => {
    expect(byStore.vault.spec.data).toEqual([{ secretKey: "DATABASE_URL", remoteRef: { key: "secret/app/db", property: "url" } }]);
    expect(byStore["vault-kv-team-a"].spec.data).toEqual([{ secretKey: "api_token", remoteRef: { key: "kv/team-a/team/api", property: "token", version: "3" } }]);
    expect(byStore["aws-sm"].spec.data).toEqual([
      { secretKey: "STRIPE_KEY", remoteRef: { key: "prod/stripe", property: "api_key", version: "AWSPREVIOUS" } },
      { secretKey: "SIGNING_KEY", remoteRef: { key: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/signing-AbCdEf", version: "uuid/4f1c2d3e-0000-4000-8000-000000000001" } },
    ]);
    expect(byStore["gcp-sm-my-proj"].spec.data).toEqual([{ secretKey: "GCP_TOKEN", remoteRef: { key: "token", property: "key", version: "5" } }]);
    expect(byStore["gcp-sm"].spec.data).toEqual([{ secretKey: "GCP_SHORT", remoteRef: { key: "short" } }]);
    expect(byStore["azure-kv-myvault"].spec.data).toEqual([{ secretKey: "AZURE_PASS", remoteRef: { key: "secret/db-pass", property: "password" } }]);
  });

  it("meets the ExternalSecret CRD's constraints (external-secrets.io v1 openAPIV3Schema)", () => {
    const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    for (const doc of documents) {
      expect(doc.metadata.name).toMatch(dnsSubdomain);
      expect(doc.spec.secretStoreRef.name).toMatch(dnsSubdomain);
      expect(["SecretStore", "ClusterSecretStore"]).toContain(doc.spec.secretStoreRef.kind);
      expect(["Owner", "Orphan", "Merge", "None"]).toContain(doc.spec.target.creationPolicy);
      for (const entry of doc.spec.data) {
        expect(Object.keys(entry).sort()).toEqual(["remoteRef", "secretKey"]);
        expect(entry.secretKey).toMatch(/^[-._a-zA-Z0-9]{1,253}$/);
        expect(typeof entry.remoteRef.key).toBe("string");
        for (const [name, value] of Object.entries(entry.remoteRef)) {
          expect(["key", "property", "version"]).toContain(name);
          expect(typeof value).toBe("string");
        }
      }
    }
    const odd = defineSecrets({ FIELD: secret(z.string(), { from: "vault://x?mount=_Team_/#k" }) });
    const [store] = yamlDocuments(emit("external-secrets", {}, odd)["external-secrets.yaml"]!);
    expect(store!.spec.secretStoreRef.name).toBe("vault-team");
  });

  it("uses only a field's first ref: ESO has no fallback", () => {
    const keys = documents.flatMap((doc) => doc.spec.data.map((entry: { secretKey: string }) => entry.secretKey));
    expect(keys.filter((key) => key === "api_token")).toHaveLength(1);
  });

  it("takes the API version, store kind, store names and provider prefixes as options", () => {
    const text = emit("external-secrets", {
      apiVersion: "external-secrets.io/v1beta1", storeKind: "ClusterSecretStore", stores: { "aws-sm": "aws-prod" }, name: "shop", awsSecretPrefix: "team/", vaultMount: "kv/team-a",
    })["external-secrets.yaml"]!;
    const docs = yamlDocuments(text);
    const aws = docs.find((doc) => doc.spec.secretStoreRef.name === "aws-prod")!;
    expect(aws).toMatchObject({ apiVersion: "external-secrets.io/v1beta1", metadata: { name: "shop-aws-sm" }, spec: { secretStoreRef: { kind: "ClusterSecretStore" } } });
    expect(aws.spec.data[0].remoteRef.key).toBe("team/prod/stripe");
    // With kv/team-a as the default mount, both Vault refs share the default store.
    const vault = docs.find((doc) => doc.spec.secretStoreRef.name === "vault")!;
    expect(vault.spec.data.map((entry: { remoteRef: { key: string } }) => entry.remoteRef.key)).toEqual(["kv/team-a/app/db", "kv/team-a/team/api"]);
  });

  it("refuses a Vault ref without #key, which ESO would copy as a whole JSON secret", () => {
    expect(() => emit("external-secrets", {}, only("vault://app/db"))).toThrow(
      "the target external-secrets cannot use field FIELD: ref vault://app/db has no #key, and External Secrets would copy the whole secret as JSON: add #<key>",
    );
  });

  it("refuses a schema with no ref ESO can serve, naming what is missing", () => {
    expect(() => emit("external-secrets", {}, only("custom://thing"))).toThrow(/has nothing to generate: the schema has no vault, aws-sm, gcp-sm, azure-kv refs/);
  });
});

describe("k8s-secret", () => {
  const files = emit("k8s-secret");

  it("writes a Secret skeleton keyed by the chain's file names, with placeholders only", () => {
    const [secret] = yamlDocuments(files["k8s-secret.yaml"]!);
    expect(secret).toMatchObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "app-secrets" }, type: "Opaque" });
    for (const key of Object.keys(secret!.stringData)) expect(key).toMatch(/^[-._a-zA-Z0-9]+$/); // a Secret key's rule
    expect(secret!.stringData).toEqual(Object.fromEntries(
      ["DATABASE_URL", "api_token", "STRIPE_KEY", "SIGNING_KEY", "GCP_TOKEN", "GCP_SHORT", "AZURE_PASS", "SESSION_KEY"].map((file) => [file, "<set me>"]),
    ));
  });

  it("patches the Deployment to mount it read-only where SECRETS_K8S_DIR points", () => {
    const [patch] = yamlDocuments(files["k8s-deployment-patch.yaml"]!);
    expect(patch).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app" } });
    expect(patch!.spec.template.spec).toEqual({
      containers: [{
        name: "app",
        env: [{ name: "SECRETS_K8S_DIR", value: "/etc/secrets" }],
        volumeMounts: [{ name: "secrets", mountPath: "/etc/secrets", readOnly: true }],
      }],
      volumes: [{ name: "secrets", secret: { secretName: "app-secrets" } }],
    });
  });
});

describe("compose", () => {
  it("declares each secret from ./secrets/<file> and mounts it at /run/secrets/<file> in the service", () => {
    const [compose] = yamlDocuments(emit("compose", { service: "web" })["compose.secrets.yaml"]!);
    expect(compose!.secrets.api_token).toEqual({ file: "./secrets/api_token" });
    expect(Object.keys(compose!.secrets)).toHaveLength(8);
    expect(compose!.services.web.secrets).toContainEqual({ source: "api_token", target: "api_token" });
    expect(compose!.services.web.secrets).toHaveLength(8);
  });
});

describe("vault-policy", () => {
  const policyPaths = async (options: object = {}, from: SecretsSchema = schema) => {
    const parsed = (await parseHcl("vault-policy.hcl", emit("vault-policy", options, from)["vault-policy.hcl"]!)) as { path: Record<string, { capabilities: string[] }[]> };
    for (const rules of Object.values(parsed.path)) expect(rules).toEqual([{ capabilities: ["read"] }]);
    return Object.keys(parsed.path);
  };

  it("grants read on the KV v2 data path of every vault:// ref, fallbacks and explicit mounts included", async () => {
    expect(await policyPaths()).toEqual(["kv/team-a/data/team/api", "secret/data/app/db"]);
  });

  it("uses KV v1 paths and another default mount when told", async () => {
    expect(await policyPaths({ kvVersion: 1, mount: "/apps/" })).toEqual(["apps/app/db", "kv/team-a/team/api"]);
  });

  it("refuses a path a policy would read as a wildcard, and refs the provider would refuse", () => {
    expect(() => emit("vault-policy", {}, only("vault://app/*#k"))).toThrow('field FIELD: ref vault://app/*#k has "*" or "+" in its path, which a Vault policy reads as a wildcard');
    expect(() => emit("vault-policy", {}, only("vault://app/db?mnt=x#k"))).toThrow(/field FIELD: ref vault:\/\/app\/db\?mnt=x#k has unknown parameter\(s\) mnt/);
  });
});

describe("aws-iam", () => {
  const policy = (options: object = {}) => JSON.parse(emit("aws-iam", options)["aws-iam-policy.json"]!);

  it("allows GetSecretValue on exactly the referenced secrets and BatchGetSecretValue on *", () => {
    expect(policy()).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadReferencedSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue",
          Resource: [
            "arn:aws:secretsmanager:*:*:secret:prod/api-??????",
            "arn:aws:secretsmanager:*:*:secret:prod/stripe-??????",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/signing-AbCdEf",
          ],
        },
        { Sid: "BatchReadEachAuthorizedAbove", Effect: "Allow", Action: "secretsmanager:BatchGetSecretValue", Resource: "*" },
      ],
    });
  });

  it("fills in region, account, partition and the secret prefix; completes a partial ARN", () => {
    expect(policy({ region: "us-east-1", account: "111122223333", secretPrefix: "shop/", partition: "aws-cn" }).Statement[0].Resource).toContain(
      "arn:aws-cn:secretsmanager:us-east-1:111122223333:secret:shop/prod/stripe-??????",
    );
    const partial = JSON.parse(emit("aws-iam", {}, only("aws-sm://arn:aws:secretsmanager:us-east-1:1:secret:db"))["aws-iam-policy.json"]!);
    expect(partial.Statement[0].Resource).toEqual(["arn:aws:secretsmanager:us-east-1:1:secret:db-??????"]);
  });

  it("refuses refs the provider would refuse, and a schema without aws-sm refs", () => {
    expect(() => emit("aws-iam", {}, only("aws-sm://db?stage=x"))).toThrow(/field FIELD: aws-sm ref "aws-sm:\/\/db\?stage=x" has the unknown parameter "stage"/);
    expect(() => emit("aws-iam", {}, only("vault://a#b"))).toThrow("the target aws-iam has nothing to generate: the schema has no aws-sm:// refs; add one or drop --target aws-iam");
  });
});

describe("every target", () => {
  const names = Object.keys(TARGETS) as TargetName[];
  const files = emitTargets(names, manifest, context);

  it("is deterministic and never contains a value", () => {
    expect(emitTargets(names, manifest, context)).toEqual(files);
    expectNoSentinel(...files.map((file) => file.content));
  });

  it("says it is generated, and how to regenerate it, where the format has comments", () => {
    for (const name of names) {
      for (const file of TARGETS[name].emit(manifest, context)) {
        if (file.name.endsWith(".json")) expect(() => JSON.parse(file.content)).not.toThrow();
        else expect(file.content.split("\n")[0]).toBe(`# Generated by secrets-gen from ../deploy.schema.ts. Do not edit: run \`npx secrets-gen --target ${name}\` to regenerate.`);
      }
    }
  });
});

describe("toYaml", () => {
  it("quotes every string a YAML reader would turn into something else", () => {
    const tricky: YamlValue = {
      words: ["yes", "No", "on", "null", "~", "true"],
      numbers: ["3", "0x1F", "1e3", "1:20", ".5"],
      text: ["a: b", "#x", "- x", "", " padded ", "quote\"and\\slash", "line\nbreak", "${x}", "*ref", "&anchor", "<set me>"],
      plain: ["app/db", "external-secrets.io/v1"],
      empty: [],
      nested: [{ a: [{ b: 1, c: false }] }],
    };
    expect(parseYaml(toYaml(tricky))).toEqual(tricky);
  });
});

describe("secrets-gen generate --target", () => {
  const dir = tempDir("secrets-gen-targets-");
  const fixture = join(import.meta.dirname, "../fixtures/targets/deploy.schema.ts");
  const deploy = join(dir, "deploy");
  const args = ["generate", "-s", fixture, "-o", join(dir, "generated"), "--env-example", join(dir, ".env.example"), "--target", "vault-policy", "--target", "aws-iam", "--target-out", deploy];

  it("writes the targets' files and reports drift in them with --check", async () => {
    const written = await runCli(args);
    expect(written.stderr).toBe("");
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/wrote .*vault-policy\.hcl, .*aws-iam-policy\.json/);
    const policy = readFileSync(join(deploy, "vault-policy.hcl"), "utf8");
    expect(policy).toMatch(/^# Generated by secrets-gen from \.\.\/\.\.\/.*\/test\/fixtures\/targets\/deploy\.schema\.ts\. Do not edit/);
    expect(withoutFirstLine(policy)).toBe(withoutFirstLine(emit("vault-policy")["vault-policy.hcl"]!));
    expect(JSON.parse(readFileSync(join(deploy, "aws-iam-policy.json"), "utf8"))).toEqual(JSON.parse(emit("aws-iam")["aws-iam-policy.json"]!));

    writeFileSync(join(deploy, "vault-policy.hcl"), "# edited by hand\n");
    const checked = await runCli([...args, "--check"]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain("vault-policy.hcl");
    expect(checked.stdout).not.toContain("aws-iam-policy.json");
    expect(checked.stderr).toMatch(/1 generated file\(s\) are out of date/);
    expectNoSentinel(written.stdout, written.stderr, checked.stdout, checked.stderr);
  }, 180_000);

  it("lists the targets in --help and refuses an unknown one with exit code 2", async () => {
    const help = await runCli(["generate", "--help"]);
    expect(help.code).toBe(0);
    for (const name of Object.keys(TARGETS)) expect(help.stdout).toContain(name);
    const wrong = await runCli(["generate", "--target", "helm"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe('secrets-gen: unknown target "helm": use one of external-secrets, k8s-secret, compose, vault-policy, aws-iam: run `secrets-gen --help` for usage\n');
  }, 60_000);
});
