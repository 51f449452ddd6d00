/**
 * `k8s-secret`: a Kubernetes Secret skeleton with one key per secret field (named as the chain's
 * file), and a strategic-merge patch for the Deployment that mounts it and points SECRETS_K8S_DIR
 * at it. Values are placeholders: fill them in outside git, or let External Secrets write them.
 */
import type { Manifest } from "../../schema/manifest.ts";
import { DNS_LABEL, DNS_SUBDOMAIN, K8S_NAME, NAMESPACE, textFlag, type TargetFlag } from "./flags.ts";
import { hashComment, nothingFor, secretFiles, type TargetContext, type TargetFile } from "./target.ts";
import { toYaml } from "./yaml.ts";

const TARGET = "k8s-secret";

export interface K8sSecretOptions {
  /** Namespace of the Secret and the Deployment; default none (kubectl's). */
  readonly namespace?: string;
  /** Name of the Secret; default `app-secrets`. */
  readonly secretName?: string;
  /** Deployment and container the patch applies to; default `app` for both. */
  readonly deployment?: string;
  readonly container?: string;
  /** Where the Secret is mounted (and so SECRETS_K8S_DIR); default `/etc/secrets`. */
  readonly mountPath?: string;
}

const PLACEHOLDER = "<set me>";

export function emitK8sSecret(manifest: Manifest, options: TargetContext & K8sSecretOptions): TargetFile[] {
  const files = secretFiles(manifest);
  if (files.length === 0) throw nothingFor(TARGET, "secret() fields");
  const secretName = options.secretName ?? "app-secrets";
  const deployment = options.deployment ?? "app";
  const mountPath = options.mountPath ?? "/etc/secrets";
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: secretName, namespace: options.namespace },
    type: "Opaque",
    stringData: Object.fromEntries(files.map(({ file }) => [file, PLACEHOLDER])),
  };
  const patch = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: deployment },
    spec: {
      template: {
        spec: {
          containers: [{
            name: options.container ?? "app",
            env: [{ name: "SECRETS_K8S_DIR", value: mountPath }],
            volumeMounts: [{ name: "secrets", mountPath, readOnly: true }],
          }],
          volumes: [{ name: "secrets", secret: { secretName } }],
        },
      },
    },
  };
  return [
    {
      name: "k8s-secret.yaml",
      content: hashComment(TARGET, options, `Replace each "${PLACEHOLDER}" outside git (or create the Secret with kubectl); never commit values.`) + toYaml(secret),
      holdsValues: true,
    },
    {
      name: "k8s-deployment-patch.yaml",
      content: hashComment(
        TARGET,
        options,
        `Mounts the Secret ${secretName} at ${mountPath}, where the app's Kubernetes step reads one file per key.`,
        `Apply with: kubectl patch deployment ${deployment}${options.namespace ? ` -n ${options.namespace}` : ""} --patch-file k8s-deployment-patch.yaml`,
      ) + toYaml(patch),
    },
  ];
}

export const K8S_SECRET_FLAGS: Readonly<Record<string, TargetFlag<K8sSecretOptions>>> = {
  namespace: textFlag("namespace", { ...NAMESPACE, help: "namespace of the Secret and the Deployment (default: kubectl's)" }),
  "secret-name": textFlag("secretName", { value: "<name>", help: "name of the Secret (default app-secrets)", valid: DNS_SUBDOMAIN, expected: K8S_NAME, example: "shop-secrets" }),
  deployment: textFlag("deployment", { value: "<name>", help: "the Deployment the patch applies to (default app)", valid: DNS_SUBDOMAIN, expected: K8S_NAME, example: "shop" }),
  container: textFlag("container", { value: "<name>", help: "the container in it that reads the secrets (default app)", valid: DNS_LABEL, expected: "a container name (lower-case letters, digits and -, at most 63)", example: "web" }),
  // The Kubernetes API: a mountPath "must not contain ':'".
  "mount-path": textFlag("mountPath", { value: "<path>", help: "where the Secret is mounted, and so SECRETS_K8S_DIR (default /etc/secrets)", valid: /^\/[^:\x00-\x1f\x7f]*$/, expected: "an absolute path without \":\"", example: "/var/run/app-secrets" }),
};
