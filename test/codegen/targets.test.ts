import { parse as parseHcl } from "@cdktf/hcl2json";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { UsageError } from "../../src/cli/errors.ts";
import { configureTargets, TARGET_FLAGS, TARGETS, type FlagValues, type TargetName } from "../../src/codegen/targets/index.ts";
import { toYaml, type YamlValue } from "../../src/codegen/targets/yaml.ts";
import { defineSecrets, secret, type SecretsSchema } from "../../src/schema/define.ts";
import { toManifest } from "../../src/schema/manifest.ts";
import schema from "../fixtures/targets/deploy.schema.ts";
import { patchedDeployment, validateManifest, yamlDocuments } from "../helpers/manifests.ts";
import { expectNoSentinel } from "../helpers/sentinels.ts";

const context = { source: "../deploy.schema.ts" };
const manifest = toManifest(schema.fields);

function emit(name: TargetName, options: object = {}, from: SecretsSchema = schema): Record<string, string> {
  const files = TARGETS[name].emit(toManifest(from.fields), { ...context, ...options });
  return Object.fromEntries(files.map((file) => [file.name, file.content]));
}

/** The files a target writes for these command-line flags. */
function emitWithFlags(name: TargetName, values: FlagValues, from: SecretsSchema = schema): Record<string, string> {
  const files = configureTargets([name], values)(toManifest(from.fields), context);
  return Object.fromEntries(files.map((file) => [file.name, file.content]));
}

/** A copy of a manifest with one change, for the negative checks. */
const broken = (manifest: Record<string, any>, change: (copy: Record<string, any>) => void): Record<string, any> => {
  const copy = structuredClone(manifest);
  change(copy);
  return copy;
};

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

  it("validates against ESO's published ExternalSecret schema, for v1 and v1beta1, with every option set", () => {
    for (const doc of documents) validateManifest(doc);
    const optioned = yamlDocuments(emit("external-secrets", {
      namespace: "shop", storeKind: "ClusterSecretStore", stores: { vault: "vault-prod" }, refreshInterval: "15m", name: "shop",
    })["external-secrets.yaml"]!);
    for (const doc of optioned) validateManifest(doc);
    expect(optioned[0]).toMatchObject({ metadata: { name: "shop-vault", namespace: "shop" }, spec: { refreshInterval: "15m", secretStoreRef: { kind: "ClusterSecretStore", name: "vault-prod" } } });
    for (const doc of yamlDocuments(emit("external-secrets", { apiVersion: "external-secrets.io/v1beta1" })["external-secrets.yaml"]!)) validateManifest(doc);
  });

  it("defaults to external-secrets.io/v1, the only version ESO serves since 0.17", () => {
    expect(new Set(documents.map((doc) => doc.apiVersion))).toEqual(new Set(["external-secrets.io/v1"]));
  });

  it("has a schema check that fails on a broken ExternalSecret", () => {
    const [doc] = documents;
    const breaks: [string, (copy: Record<string, any>) => void][] = [
      ["spec/secretStoreRef/kind must be equal to one of the allowed values", (copy) => (copy.spec.secretStoreRef.kind = "Store")],
      ["spec/data/0 must have required property remoteRef", (copy) => delete copy.spec.data[0].remoteRef],
      ["spec/refreshInterval must be string", (copy) => (copy.spec.refreshInterval = 3600)],
      ["spec/target/creationPolicy must be equal to one of the allowed values", (copy) => (copy.spec.target.creationPolicy = "Always")],
    ];
    for (const [message, change] of breaks) expect(() => validateManifest(broken(doc!, change))).toThrow(message);
    expect(() => validateManifest(broken(doc!, (copy) => (copy.apiVersion = "external-secrets.io/v9")))).toThrow("no schema for external-secrets.io/v9 ExternalSecret");
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

  it("refuses a --store renaming a store no ref uses, naming the stores there are", () => {
    expect(() => emit("external-secrets", { stores: { aws: "aws-prod" } })).toThrow(new UsageError(
      '--store names the store "aws", which no ref in the schema uses: name one of vault, vault-kv-team-a, aws-sm, gcp-sm-my-proj, gcp-sm, azure-kv-myvault',
    ));
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

  it("validates against the Kubernetes schemas: the Secret, and the Deployment the patch makes", () => {
    const [secret] = yamlDocuments(files["k8s-secret.yaml"]!);
    validateManifest(secret!);
    const [patch] = yamlDocuments(files["k8s-deployment-patch.yaml"]!);
    const patched = patchedDeployment(patch!);
    validateManifest(patched);
    // The patch lands on the existing container, and its mount names a volume the pod has.
    const pod = patched.spec.template.spec;
    expect(pod.containers).toHaveLength(1);
    expect(pod.volumes.map((volume: { name: string }) => volume.name)).toContain(pod.containers[0].volumeMounts[0].name);
  });

  it("has a schema check that fails on a broken Secret or Deployment", () => {
    const [secret] = yamlDocuments(files["k8s-secret.yaml"]!);
    expect(() => validateManifest(broken(secret!, (copy) => (copy.stringData.SESSION_KEY = 42)))).toThrow("stringData/SESSION_KEY must be string");
    expect(() => validateManifest(broken(secret!, (copy) => (copy.immutable = "yes")))).toThrow("immutable must be boolean");
    const patched = patchedDeployment(yamlDocuments(files["k8s-deployment-patch.yaml"]!)[0]!);
    expect(() => validateManifest(broken(patched, (copy) => delete copy.spec.template.spec.containers[0].volumeMounts[0].mountPath))).toThrow("must have required property mountPath");
    expect(() => validateManifest(broken(patched, (copy) => delete copy.spec.selector))).toThrow("spec must have required property selector");
  });

  it("takes a namespace, names and the mount path as options", () => {
    const options = { namespace: "shop", secretName: "shop-secrets", deployment: "shop", container: "web", mountPath: "/var/run/shop" };
    const optioned = emit("k8s-secret", options);
    const [secret] = yamlDocuments(optioned["k8s-secret.yaml"]!);
    expect(secret!.metadata).toEqual({ name: "shop-secrets", namespace: "shop" });
    const [patch] = yamlDocuments(optioned["k8s-deployment-patch.yaml"]!);
    const patched = patchedDeployment(patch!, "web");
    validateManifest(patched);
    expect(patched.spec.template.spec.containers).toEqual([expect.objectContaining({ name: "web", env: [{ name: "SECRETS_K8S_DIR", value: "/var/run/shop" }] })]);
    expect(optioned["k8s-deployment-patch.yaml"]).toContain("kubectl patch deployment shop -n shop --patch-file");
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

  it("reads a named engine mount (dynamic database credentials) at <mount>/<path>, not as KV", async () => {
    const dynamic = only("vault://creds/app?mount=database#password");
    expect(await policyPaths({}, dynamic)).toEqual(["database/data/creds/app"]);
    expect(await policyPaths({ engineMounts: ["database"] }, dynamic)).toEqual(["database/creds/app"]);
    expect(emitWithFlags("vault-policy", { "engine-mount": ["/database/"] }, dynamic)["vault-policy.hcl"]).toContain('path "database/creds/app"');
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
  const files = configureTargets(names)(manifest, context);

  it("is deterministic and never contains a value", () => {
    expect(configureTargets(names)(manifest, context)).toEqual(files);
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

describe("target flags", () => {
  const withoutHeader = (text: string): string => text.replace(/^(#.*\n)+/, "");

  it("set the same options as code does, and the header's regenerate command repeats them", () => {
    const cases: [TargetName, FlagValues, object][] = [
      ["external-secrets", { namespace: "shop", store: ["aws-sm=aws-prod", "vault=vault-prod"], "store-kind": "ClusterSecretStore", "name-prefix": "shop", "refresh-interval": "1h30m", "api-version": "external-secrets.io/v1beta1", "vault-mount": "kv/team-a", "aws-secret-prefix": "team/", "gcp-secret-prefix": "team-", "azure-secret-prefix": "team-" },
        { namespace: "shop", stores: { "aws-sm": "aws-prod", vault: "vault-prod" }, storeKind: "ClusterSecretStore", name: "shop", refreshInterval: "1h30m", apiVersion: "external-secrets.io/v1beta1", vaultMount: "kv/team-a", awsSecretPrefix: "team/", gcpSecretPrefix: "team-", azureSecretPrefix: "team-" }],
      ["k8s-secret", { namespace: "shop", "secret-name": "shop-secrets", deployment: "shop", container: "web", "mount-path": "/var/run/shop" },
        { namespace: "shop", secretName: "shop-secrets", deployment: "shop", container: "web", mountPath: "/var/run/shop" }],
      ["compose", { service: "web", "secrets-dir": "./my secrets" }, { service: "web", secretsDir: "./my secrets" }],
      ["vault-policy", { "vault-mount": "apps", "kv-version": "1" }, { mount: "apps", kvVersion: 1 }],
      ["aws-iam", { region: "eu-west-1", account: "123456789012", "aws-secret-prefix": "shop/", partition: "aws-cn" }, { region: "eu-west-1", account: "123456789012", secretPrefix: "shop/", partition: "aws-cn" }],
    ];
    for (const [name, flags, options] of cases) {
      const fromFlags = emitWithFlags(name, flags);
      const fromCode = emit(name, options);
      expect(Object.keys(fromFlags)).toEqual(Object.keys(fromCode));
      for (const [file, content] of Object.entries(fromFlags)) {
        expect(withoutHeader(content)).toBe(withoutHeader(fromCode[file]!));
        expect(content).not.toBe(emit(name)[file]); // each case changes every file
      }
    }
    expect(emitWithFlags("compose", { service: "web", "secrets-dir": "./my secrets" })["compose.secrets.yaml"]!.split("\n")[0]).toBe(
      "# Generated by secrets-gen from ../deploy.schema.ts. Do not edit: run `npx secrets-gen --target compose --service web --secrets-dir './my secrets'` to regenerate.",
    );
  });

  it("refuse a value a target cannot use, in one sentence naming the flag and what to write", () => {
    const cases: [TargetName, FlagValues, string][] = [
      ["external-secrets", { "store-kind": "Store" }, '--store-kind takes SecretStore or ClusterSecretStore, not "Store": write e.g. --store-kind ClusterSecretStore'],
      ["external-secrets", { store: ["aws-sm"] }, '--store takes a default store name, "=" and a Kubernetes name (lower-case letters, digits, - and ., starting and ending with a letter or digit), not "aws-sm": write e.g. --store aws-sm=aws-prod'],
      ["external-secrets", { "refresh-interval": "1 hour" }, '--refresh-interval takes a Go duration such as 15m, 1h or 1h30m (0 never refreshes), not "1 hour": write e.g. --refresh-interval 15m'],
      ["external-secrets", { "api-version": "v1" }, '--api-version takes external-secrets.io/v1 or external-secrets.io/v1beta1, not "v1": write e.g. --api-version external-secrets.io/v1'],
      ["k8s-secret", { namespace: "Shop_1" }, '--namespace takes a namespace (lower-case letters, digits and -, at most 63), not "Shop_1": write e.g. --namespace prod'],
      ["k8s-secret", { "mount-path": "etc/secrets" }, '--mount-path takes an absolute path without ":", not "etc/secrets": write e.g. --mount-path /var/run/app-secrets'],
      ["compose", { "secrets-dir": "a\nb" }, '--secrets-dir takes a directory path on one line, not "a\\nb": write e.g. --secrets-dir ./.secrets'],
      ["vault-policy", { "kv-version": "3" }, '--kv-version takes 1 or 2, not "3": write e.g. --kv-version 1'],
      ["aws-iam", { account: "1234" }, '--account takes a 12-digit AWS account ID, not "1234": write e.g. --account 123456789012'],
      ["aws-iam", { region: "EU" }, '--region takes an AWS region such as eu-west-1, not "EU": write e.g. --region eu-west-1'],
    ];
    for (const [name, flags, message] of cases) expect(() => configureTargets([name], flags)).toThrow(new UsageError(message));
  });

  it("refuse a flag none of the chosen targets takes, naming the targets' own flags", () => {
    expect(() => configureTargets(["compose"], { region: "eu-west-1" })).toThrow(new UsageError(
      "--region is not an option of the target compose (it belongs to --target aws-iam): use --service, --secrets-dir",
    ));
    expect(() => configureTargets(["compose", "vault-policy"], { "aws-secret-prefix": "x" })).toThrow(new UsageError(
      "--aws-secret-prefix is not an option of the targets compose, vault-policy (it belongs to --target external-secrets or --target aws-iam): use --service, --secrets-dir, --vault-mount, --kv-version, --engine-mount",
    ));
    expect(() => configureTargets([], { namespace: "shop" })).toThrow(new UsageError(
      "--namespace is an option of a deployment target: add --target external-secrets or --target k8s-secret, or drop --namespace",
    ));
  });

  it("parse the same in every target that shares one, and never shadow generate's own options", () => {
    for (const target of Object.values(TARGETS)) {
      for (const [flag, { value, multiple }] of Object.entries(target.flags)) expect({ flag, value, multiple }).toEqual({ flag, value: TARGET_FLAGS[flag]!.value, multiple: TARGET_FLAGS[flag]!.multiple });
    }
    for (const own of ["schema", "out", "env-example", "target", "target-out", "check", "json", "help"]) expect(TARGET_FLAGS).not.toHaveProperty(own);
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
