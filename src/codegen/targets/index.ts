/** Deployment-config generators by `--target` name. Each is a pure function of the schema's manifest and its options. */
import { UsageError } from "../../cli/errors.ts";
import type { Manifest } from "../../schema/manifest.ts";
import { AWS_IAM_FLAGS, emitAwsIam } from "./aws-iam.ts";
import { COMPOSE_FLAGS, emitCompose } from "./compose.ts";
import { emitExternalSecrets, EXTERNAL_SECRETS_FLAGS } from "./external-secrets.ts";
import { defineTarget, type FlagSpec, type FlagValues, type Target } from "./flags.ts";
import { emitK8sSecret, K8S_SECRET_FLAGS } from "./k8s-secret.ts";
import type { TargetContext, TargetFile } from "./target.ts";
import { emitVaultPolicy, VAULT_POLICY_FLAGS } from "./vault-policy.ts";

export type { FlagValues } from "./flags.ts";
export type { TargetFile } from "./target.ts";

export const TARGETS = {
  "external-secrets": defineTarget({ emit: emitExternalSecrets, flags: EXTERNAL_SECRETS_FLAGS, summary: "External Secrets Operator ExternalSecrets for the manager refs" }),
  "k8s-secret": defineTarget({ emit: emitK8sSecret, flags: K8S_SECRET_FLAGS, summary: "a Kubernetes Secret skeleton and a Deployment patch mounting it" }),
  compose: defineTarget({ emit: emitCompose, flags: COMPOSE_FLAGS, summary: "a docker-compose override with a secrets: block" }),
  "vault-policy": defineTarget({ emit: emitVaultPolicy, flags: VAULT_POLICY_FLAGS, summary: "a Vault policy reading exactly the vault:// paths" }),
  "aws-iam": defineTarget({ emit: emitAwsIam, flags: AWS_IAM_FLAGS, summary: "an IAM policy reading exactly the aws-sm:// secrets" }),
} as const satisfies Record<string, Target>;

export type TargetName = keyof typeof TARGETS;

export function isTargetName(name: string): name is TargetName {
  return Object.hasOwn(TARGETS, name);
}

/** Every target flag by name; a flag two targets share reads the same in both. */
export const TARGET_FLAGS: Readonly<Record<string, FlagSpec>> = Object.fromEntries(Object.values(TARGETS).flatMap((target) => Object.entries(target.flags)));

/** The targets that take a flag. */
const targetsTaking = (flag: string): TargetName[] => (Object.keys(TARGETS) as TargetName[]).filter((name) => Object.hasOwn(TARGETS[name].flags, flag));

/** Throws UsageError for a target flag that none of the chosen targets takes, naming the flags they do take. */
function checkTargetFlags(names: readonly TargetName[], values: FlagValues): void {
  const stray = Object.keys(TARGET_FLAGS).find((flag) => values[flag] !== undefined && !names.some((name) => Object.hasOwn(TARGETS[name].flags, flag)));
  if (stray === undefined) return;
  const takers = targetsTaking(stray).map((name) => `--target ${name}`).join(" or ");
  if (names.length === 0) throw new UsageError(`--${stray} is an option of a deployment target: add ${takers}, or drop --${stray}`);
  const theirs = [...new Set(names.flatMap((name) => Object.keys(TARGETS[name].flags)))].map((flag) => `--${flag}`);
  const chosen = `${names.length === 1 ? "the target" : "the targets"} ${names.join(", ")}`;
  throw new UsageError(`--${stray} is not an option of ${chosen} (it belongs to ${takers}): use ${theirs.join(", ")}`);
}

/** A target's file, and which target wrote it. */
export type NamedTargetFile = TargetFile & { readonly target: TargetName };

/**
 * The emitter for the named targets, in the order given, with the options the flags set (default:
 * none). Every flag is checked here, before the schema is even loaded.
 */
export function configureTargets(names: readonly TargetName[], values: FlagValues = {}): (manifest: Manifest, context: TargetContext) => NamedTargetFile[] {
  checkTargetFlags(names, values);
  const emitters = names.map((target) => ({ target, emit: TARGETS[target].configure(values) }));
  return (manifest, context) => emitters.flatMap(({ target, emit }) => emit(manifest, context).map((file) => ({ ...file, target })));
}
