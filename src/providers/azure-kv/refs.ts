/**
 * `azure-kv://` refs → which vault, secret and version to read.
 *   azure-kv://<vault-name>/<secret-name>[/<version>][#key]   → https://<vault-name>.vault.azure.net
 *   azure-kv://<secret-name>[#key]                             → the default vault (AZURE_KEYVAULT_URL),
 *                                                                 name prefixed with AZURE_SECRET_PREFIX
 * Any form also takes `?version=<id>` (`latest` = no version).
 * Key Vault names allow only letters, digits and dashes. Other names are rejected, not rewritten:
 * mapping `db_pass` to `db-pass` would silently make two refs read one secret.
 */
import type { SecretRef } from "../types.ts";

export interface SecretTarget {
  /** `https://<vault>.vault.azure.net`, no trailing slash. */
  readonly vaultUrl: string;
  readonly name: string;
  /** Undefined: the latest version. */
  readonly version?: string;
}

export interface TargetConfig {
  /** The default vault for short refs, if any (already validated). */
  readonly defaultVaultUrl?: string;
  readonly prefix: string;
  readonly vaultUrls: Readonly<Record<string, string>>;
  readonly dnsSuffix: string;
}

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
// 3-24 characters, starts with a letter, ends with a letter or digit, no "--".
const VAULT_NAME = /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const VERSION = /^[0-9a-fA-F]{32}$/;

/** A ref this provider cannot read; the message names the ref and says what to write. */
export class RefError extends Error {
  override name = "RefError";
}

/** Normalise a vault URL (option, env or map entry): https only, origin only. */
export function parseVaultUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefError(`${source} is not a URL: expected https://<vault-name>.vault.azure.net`);
  }
  if (url.protocol !== "https:") throw new RefError(`${source} must be an https:// URL (Key Vault is served over TLS only)`);
  if (url.pathname !== "/" && url.pathname !== "") {
    throw new RefError(`${source} must be the vault's origin only, e.g. https://<vault-name>.vault.azure.net`);
  }
  return url.origin;
}

function checkSecretName(ref: SecretRef, name: string, prefix = ""): void {
  if (SECRET_NAME.test(name)) return;
  const suggestion = name.replace(/[^0-9a-zA-Z-]/g, "-").slice(0, 127);
  const prefixed = prefix ? ` (with the prefix "${prefix}" from AZURE_SECRET_PREFIX / secretPrefix)` : "";
  throw new RefError(
    `ref "${ref.raw}": Key Vault secret names allow only letters, digits and dashes (1-127), so "${name}"${prefixed} cannot exist;` +
      ` rename it${suggestion ? `, e.g. "${suggestion}"` : ""}`,
  );
}

function pickVersion(ref: SecretRef, fromPath: string | undefined): string | undefined {
  const fromParam = ref.params.version;
  if (fromPath !== undefined && fromParam !== undefined && fromPath !== fromParam) {
    throw new RefError(`ref "${ref.raw}" gives two different versions (path and ?version=): give one`);
  }
  const version = fromPath ?? fromParam;
  if (version === undefined || version === "latest") return undefined;
  if (!VERSION.test(version)) {
    throw new RefError(`ref "${ref.raw}": "${version}" is not a Key Vault version id (32 hex characters) or "latest"`);
  }
  return version.toLowerCase();
}

/** Where `ref` points, or a RefError saying why it cannot be read. */
export function targetOf(ref: SecretRef, config: TargetConfig): SecretTarget {
  const unknown = Object.keys(ref.params).filter((param) => param !== "version");
  if (unknown.length > 0) {
    throw new RefError(`ref "${ref.raw}" has unknown parameter(s) ${unknown.join(", ")}: only ?version= is understood`);
  }
  const segments = ref.path.split("/");
  if (segments.some((segment) => segment === "") || segments.length > 3) {
    throw new RefError(`ref "${ref.raw}" is malformed: expected azure-kv://<vault-name>/<secret-name>[/<version>] or azure-kv://<secret-name>`);
  }
  if (segments.length === 1) {
    const name = config.prefix + segments[0]!;
    checkSecretName(ref, name, config.prefix);
    if (!config.defaultVaultUrl) {
      throw new RefError(
        `ref "${ref.raw}" names no vault: set AZURE_KEYVAULT_URL (or the vaultUrl option), or write azure-kv://<vault-name>/${ref.path}`,
      );
    }
    const version = pickVersion(ref, undefined);
    return { vaultUrl: config.defaultVaultUrl, name, ...(version ? { version } : {}) };
  }
  const [vault, name, pathVersion] = segments as [string, string, string | undefined];
  const mapped = config.vaultUrls[vault];
  if (!mapped && !VAULT_NAME.test(vault)) {
    throw new RefError(
      `ref "${ref.raw}": "${vault}" is not a Key Vault name (3-24 letters, digits and single dashes, starting with a letter)`,
    );
  }
  checkSecretName(ref, name);
  const version = pickVersion(ref, pathVersion);
  const vaultUrl = mapped ? parseVaultUrl(mapped, `vaultUrls["${vault}"]`) : `https://${vault.toLowerCase()}.${config.dnsSuffix}`;
  return { vaultUrl, name, ...(version ? { version } : {}) };
}

/** One fetch per distinct secret version, however many `#key`s read it. */
export function targetKey(target: SecretTarget): string {
  return `${target.vaultUrl}|${target.name.toLowerCase()}|${target.version ?? ""}`;
}
