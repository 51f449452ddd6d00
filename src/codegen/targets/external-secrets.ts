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
import { fieldRefs, hashComment, nothingFor, refProblem, type FieldRef, type TargetContext, type TargetFile } from "./target.ts";
import { toYaml, type YamlValue } from "./yaml.ts";

export interface ExternalSecretsOptions {
  /** Default `external-secrets.io/v1` (ESO 0.17+); `external-secrets.io/v1beta1` for older operators. */
  readonly apiVersion?: string;
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
  const prefix = options.name ?? "app-secrets";
  const documents = [...byStore].map(([store, data]) => {
    const name = `${prefix}-${k8sName(store)}`;
    const document: YamlValue = {
      apiVersion: options.apiVersion ?? "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: { name },
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
