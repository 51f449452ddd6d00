/** `vault-policy`: a Vault ACL policy granting read on exactly the paths the schema's vault:// refs name. */
import type { Manifest } from "../../schema/manifest.ts";
import { apiPath, parseTarget } from "../../providers/vault/kv.ts";
import { oneOf, textFlag, VAULT_MOUNT, type TargetFlag } from "./flags.ts";
import { fieldRefs, hashComment, nothingFor, refProblem, uniqueSorted, type TargetContext, type TargetFile } from "./target.ts";

export interface VaultPolicyOptions {
  /** KV mount for refs without ?mount= (the provider's VAULT_MOUNT); default `secret`. */
  readonly mount?: string;
  /** KV engine version of the mounts; v2 reads `<mount>/data/<path>`, v1 `<mount>/<path>`. Default 2. */
  readonly kvVersion?: 1 | 2;
  /**
   * Mounts of engines other than KV (database, aws, pki…), whose refs (e.g.
   * vault://creds/app?mount=database#password) are read at `<mount>/<path>`. A policy file cannot
   * ask Vault which engine a mount is, so these are named; any other mount is taken as KV.
   */
  readonly engineMounts?: readonly string[];
}

const TARGET = "vault-policy";

export function emitVaultPolicy(manifest: Manifest, options: TargetContext & VaultPolicyOptions): TargetFile[] {
  const kvVersion = options.kvVersion ?? 2;
  const paths = fieldRefs(manifest)
    .filter(({ ref }) => ref.scheme === "vault")
    .map(({ field, ref }) => {
      const target = parseTarget(ref, options.mount ?? "secret");
      if (typeof target === "string") throw refProblem(TARGET, field, target);
      // In a policy, `*` and `+` are wildcards: a path holding one would grant more than the ref reads.
      if (/[*+]/.test(target.path)) throw refProblem(TARGET, field, `ref ${ref.raw} has "*" or "+" in its path, which a Vault policy reads as a wildcard`);
      // ?version= reads the same ACL path.
      return apiPath(target, options.engineMounts?.includes(target.mount) ? "other" : kvVersion);
    });
  if (paths.length === 0) throw nothingFor(TARGET, "vault:// refs");
  const blocks = uniqueSorted(paths).map((path) => `path ${hclString(path)} {\n  capabilities = ["read"]\n}\n`);
  const header = hashComment(
    TARGET,
    options,
    `Read-only access to the secrets the schema references (KV v${kvVersion}${options.engineMounts?.length ? `; other engines at ${options.engineMounts.join(", ")}` : ""}), and nothing else.`,
    "The provider also asks sys/internal/ui/mounts/<mount> for the KV version; Vault answers that for any",
    "token with a capability under the mount, so it needs no grant of its own.",
  );
  return [{ name: "vault-policy.hcl", content: `${header}\n${blocks.join("\n")}` }];
}

/** A quoted HCL string: JSON escapes, plus HCL's own template introducers doubled. */
function hclString(text: string): string {
  return JSON.stringify(text).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

export const VAULT_POLICY_FLAGS: Readonly<Record<string, TargetFlag<VaultPolicyOptions>>> = {
  "vault-mount": textFlag("mount", VAULT_MOUNT),
  "kv-version": {
    value: "1|2", help: "KV engine version of the mounts (default 2)", valid: oneOf("1", "2"), expected: "1 or 2", example: "1",
    apply: (text, options) => ({ ...options, kvVersion: text === "1" ? 1 : 2 }),
  },
  "engine-mount": {
    value: "<mount>", help: "a mount that is not KV (e.g. database): its refs are read at <mount>/<path>; repeatable", multiple: true,
    valid: VAULT_MOUNT.valid, expected: "a mount path such as database", example: "database",
    apply: (text, options) => ({ ...options, engineMounts: [...(options.engineMounts ?? []), text.replace(/^\/+|\/+$/g, "")] }),
  },
};
