/**
 * `external-secrets`: ExternalSecret manifests for the External Secrets Operator, one per secret
 * store, that copy each manager-backed field into a Kubernetes Secret under the field's file name,
 * so the app's Kubernetes step (SECRETS_K8S_DIR) reads what the manager holds.
 * remoteRef semantics follow ESO's providers: vault (KV, key includes the mount), aws (version is
 * a stage or `uuid/<id>`), gcpsm (key is the secret id within the store's project), azurekv
 * (`secret/<name>`). A field uses its first ref in a scheme ESO serves; custom schemes are skipped.
 */
import type { Manifest } from "../../schema/manifest.ts";
import type { SecretRef } from "../../schema/ref.ts";
import { planReads, secretIdOf } from "../../providers/aws-sm/plan.ts";
import { RefError, targetOf } from "../../providers/azure-kv/refs.ts";
import { parseGcpRef } from "../../providers/gcp-sm/refs.ts";
import { trimSlashes } from "../../providers/vault/config.ts";
import { parseTarget } from "../../providers/vault/kv.ts";
import { UsageError } from "../../cli/errors.ts";
import { AWS_SECRET_PREFIX, DNS_SUBDOMAIN, K8S_NAME, NAMESPACE, oneOf, prefixSpec, textFlag, VAULT_MOUNT, type TargetFlag } from "./flags.ts";
import { fieldRefs, hashComment, nothingFor, refProblem, type FieldRef, type TargetContext, type TargetFile } from "./target.ts";
import { toYaml, type YamlValue } from "./yaml.ts";

export interface ExternalSecretsOptions {
  /**
   * Default `external-secrets.io/v1`: served since ESO 0.16, and the only version from 0.17 on, which
   * stopped serving v1beta1. `external-secrets.io/v1beta1` is for operators older than 0.16.
   */
  readonly apiVersion?: string;
  /** Namespace of the ExternalSecrets (and so of the Secrets they write); default none (kubectl's). */
  readonly namespace?: string;
  /** `SecretStore` (default) or `ClusterSecretStore`. */
  readonly storeKind?: string;
  /** Store names by their default: `vault` (the default mount), `vault-<mount>`, `aws-sm`, `gcp-sm`, `gcp-sm-<project>`, `azure-kv`, `azure-kv-<vault>`. */
  readonly stores?: Readonly<Record<string, string>>;
  /** Prefix of each ExternalSecret's name and of the Secret it writes; default `app-secrets`. */
  readonly name?: string;
  readonly refreshInterval?: string;
  /** The provider settings that change what a ref names: VAULT_MOUNT, AWS_SECRET_PREFIX, GCP / Azure prefixes. */
  readonly vaultMount?: string;
  readonly awsSecretPrefix?: string;
  readonly gcpSecretPrefix?: string;
  readonly azureSecretPrefix?: string;
}

// A type, not an interface, so it fits YamlValue's index signature.
type RemoteRef = {
  readonly key: string;
  readonly property?: string;
  readonly version?: string;
};

/** Where ESO finds a ref: the store (by default name) and the remoteRef, or why it cannot. */
type Placement = { readonly store: string; readonly remoteRef: RemoteRef } | string;

const TARGET = "external-secrets";

const withKey = (ref: SecretRef, remote: { key: string; version?: string | undefined }): RemoteRef => ({
  key: remote.key,
  ...(ref.key !== undefined ? { property: ref.key } : {}),
  ...(remote.version !== undefined ? { version: remote.version } : {}),
});

/** A DNS-subdomain part of a K8s object name: lower-case letters, digits, `-` and `.`, alphanumeric at both ends. */
const k8sName = (text: string): string => text.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");

const PLACERS: Readonly<Record<string, (ref: SecretRef, options: ExternalSecretsOptions) => Placement>> = {
  vault(ref, options) {
    const target = parseTarget(ref, options.vaultMount ?? "secret");
    if (typeof target === "string") return target;
    // Our provider reads a key-less ref's only key; ESO would copy the whole secret as JSON instead.
    if (ref.key === undefined) return `ref ${ref.raw} has no #key, and External Secrets would copy the whole secret as JSON: add #<key>`;
    // One store per mount, its `path` set to the mount: ESO then strips the mount from the key and adds
    // KV v2's `data/` itself, which also works for nested mounts such as kv/team-a.
    const store = target.mount === trimSlashes(options.vaultMount ?? "secret") ? "vault" : `vault-${k8sName(target.mount)}`;
    return { store, remoteRef: withKey(ref, { key: `${target.mount}/${target.path}`, version: ref.params.version }) };
  },
  "aws-sm"(ref, options) {
    const prefix = options.awsSecretPrefix ?? "";
    const rejected = planReads([ref], prefix, "").rejected.get(ref.raw);
    if (rejected?.status === "error") return rejected.message;
    const { versionStage, versionId } = ref.params;
    const version = versionStage ?? (versionId !== undefined ? `uuid/${versionId}` : undefined);
    return { store: "aws-sm", remoteRef: withKey(ref, { key: secretIdOf(ref, prefix), version }) };
  },
  "gcp-sm"(ref, options) {
    const parsed = parseGcpRef(ref, options.gcpSecretPrefix ?? "");
    if (!parsed.ok) return parsed.message;
    const { project, secret, version } = parsed.target;
    return {
      store: project === undefined ? "gcp-sm" : `gcp-sm-${k8sName(project)}`,
      remoteRef: withKey(ref, { key: secret, version: version === "latest" ? undefined : version }),
    };
  },
  "azure-kv"(ref, options) {
    try {
      // The default vault's address is the store's business, so any valid URL stands in for it here.
      const target = targetOf(ref, { defaultVaultUrl: "https://default.vault.azure.net", prefix: options.azureSecretPrefix ?? "", vaultUrls: {}, dnsSuffix: "vault.azure.net" });
      const vault = ref.path.includes("/") ? ref.path.split("/")[0]! : undefined;
      return {
        store: vault === undefined ? "azure-kv" : `azure-kv-${k8sName(vault)}`,
        remoteRef: withKey(ref, { key: `secret/${target.name}`, version: target.version }),
      };
    } catch (error) {
      if (error instanceof RefError) return error.message;
      throw error;
    }
  },
};

export function emitExternalSecrets(manifest: Manifest, options: TargetContext & ExternalSecretsOptions): TargetFile[] {
  const byStore = new Map<string, { secretKey: string; remoteRef: RemoteRef }[]>();
  for (const { field, file, ref } of firstServedRefs(fieldRefs(manifest))) {
    const placement = PLACERS[ref.scheme]!(ref, options);
    if (typeof placement === "string") throw refProblem(TARGET, field, placement);
    const entries = byStore.get(placement.store) ?? [];
    entries.push({ secretKey: file, remoteRef: placement.remoteRef });
    byStore.set(placement.store, entries);
  }
  if (byStore.size === 0) throw nothingFor(TARGET, `${Object.keys(PLACERS).join(", ")} refs`);
  // A renamed store that no ref uses is a typo, which would otherwise leave the real store unrenamed.
  const unused = Object.keys(options.stores ?? {}).find((store) => !byStore.has(store));
  if (unused !== undefined) {
    throw new UsageError(`--store names the store "${unused}", which no ref in the schema uses: name one of ${[...byStore.keys()].join(", ")}`);
  }
  const prefix = options.name ?? "app-secrets";
  const documents = [...byStore].map(([store, data]) => {
    const name = `${prefix}-${k8sName(store)}`;
    const document: YamlValue = {
      apiVersion: options.apiVersion ?? "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: { name, namespace: options.namespace },
      spec: {
        refreshInterval: options.refreshInterval ?? "1h",
        secretStoreRef: { kind: options.storeKind ?? "SecretStore", name: options.stores?.[store] ?? store },
        target: { name, creationPolicy: "Owner" },
        data,
      },
    };
    return toYaml(document);
  });
  const header = hashComment(
    TARGET,
    options,
    "Each ExternalSecret writes the Secret named in its spec.target, one key per field (the file name the app reads).",
    "Mount them all in one directory (a projected volume) and set SECRETS_K8S_DIR to it.",
    "Set each vault SecretStore's `path` to the KV mount its keys start with (`vault` is the default mount's).",
  );
  return [{ name: "external-secrets.yaml", content: `${header}${documents.join("---\n")}` }];
}

/** Per field, the first ref ESO can serve: the chain tries refs in order, and ESO has no fallback. */
function firstServedRefs(refs: readonly FieldRef[]): FieldRef[] {
  const seen = new Set<string>();
  return refs.filter(({ field, ref }) => {
    if (seen.has(field) || !(ref.scheme in PLACERS)) return false;
    seen.add(field);
    return true;
  });
}

export const EXTERNAL_SECRETS_FLAGS: Readonly<Record<string, TargetFlag<ExternalSecretsOptions>>> = {
  namespace: textFlag("namespace", { ...NAMESPACE, help: "namespace of the ExternalSecrets and their Secrets (default: kubectl's)" }),
  store: {
    value: "<store>=<name>",
    help: "use the store <name> for the default store name <store> (vault, aws-sm, gcp-sm, azure-kv, or one with -<mount|project|vault>); repeatable",
    multiple: true,
    valid: new RegExp(`^[a-z0-9.-]+=${DNS_SUBDOMAIN.source.slice(1)}`),
    expected: `a default store name, "=" and ${K8S_NAME}`,
    example: "aws-sm=aws-prod",
    apply: (text, options) => {
      const [store, name] = text.split("=") as [string, string];
      return { ...options, stores: { ...options.stores, [store]: name } };
    },
  },
  "store-kind": textFlag("storeKind", { value: "SecretStore|ClusterSecretStore", help: "kind of the stores referenced (default SecretStore)", valid: oneOf("SecretStore", "ClusterSecretStore"), expected: "SecretStore or ClusterSecretStore", example: "ClusterSecretStore" }),
  "name-prefix": textFlag("name", { value: "<name>", help: "prefix of each ExternalSecret's and Secret's name (default app-secrets)", valid: DNS_SUBDOMAIN, expected: K8S_NAME, example: "shop-secrets" }),
  "refresh-interval": textFlag("refreshInterval", { value: "<duration>", help: "how often ESO re-reads the manager (default 1h; 0 never)", valid: /^(?:0|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/, expected: "a Go duration such as 15m, 1h or 1h30m (0 never refreshes)", example: "15m" }),
  "api-version": textFlag("apiVersion", { value: "<group/version>", help: "external-secrets.io/v1 (default; ESO 0.16+) or external-secrets.io/v1beta1 (older ESO)", valid: oneOf("external-secrets.io/v1", "external-secrets.io/v1beta1"), expected: "external-secrets.io/v1 or external-secrets.io/v1beta1", example: "external-secrets.io/v1" }),
  "vault-mount": textFlag("vaultMount", VAULT_MOUNT),
  "aws-secret-prefix": textFlag("awsSecretPrefix", AWS_SECRET_PREFIX),
  "gcp-secret-prefix": textFlag("gcpSecretPrefix", prefixSpec("GCP_SECRET_PREFIX", /^[\w-]+$/, "letters, digits, _ and -")),
  "azure-secret-prefix": textFlag("azureSecretPrefix", prefixSpec("AZURE_SECRET_PREFIX", /^[A-Za-z0-9-]+$/, "letters, digits and -")),
};
