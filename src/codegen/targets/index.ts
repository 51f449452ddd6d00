/** Deployment-config generators by `--target` name. Each is a pure function of the schema's manifest. */
import type { Manifest } from "../../schema/manifest.ts";
import { emitAwsIam } from "./aws-iam.ts";
import { emitCompose } from "./compose.ts";
import { emitExternalSecrets } from "./external-secrets.ts";
import { emitK8sSecret } from "./k8s-secret.ts";
import type { Emitter, TargetContext, TargetFile } from "./target.ts";
import { emitVaultPolicy } from "./vault-policy.ts";

export type { TargetFile } from "./target.ts";

export const TARGETS = {
  "external-secrets": { emit: emitExternalSecrets, summary: "External Secrets Operator ExternalSecrets for the manager refs" },
  "k8s-secret": { emit: emitK8sSecret, summary: "a Kubernetes Secret skeleton and a Deployment patch mounting it" },
  compose: { emit: emitCompose, summary: "a docker-compose override with a secrets: block" },
  "vault-policy": { emit: emitVaultPolicy, summary: "a Vault policy reading exactly the vault:// paths" },
  "aws-iam": { emit: emitAwsIam, summary: "an IAM policy reading exactly the aws-sm:// secrets" },
} as const satisfies Record<string, { readonly emit: Emitter; readonly summary: string }>;

export type TargetName = keyof typeof TARGETS;

export function isTargetName(name: string): name is TargetName {
  return Object.hasOwn(TARGETS, name);
}

/** The files of each named target, in the order given, with each target's defaults. */
export function emitTargets(names: readonly TargetName[], manifest: Manifest, context: TargetContext): TargetFile[] {
  return names.flatMap((name) => TARGETS[name].emit(manifest, context));
}
