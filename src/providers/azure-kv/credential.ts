/**
 * Which Microsoft Entra credential signs Key Vault requests. The choice reads the injected env
 * (not process.env) so tests and embedders control it; the order mirrors DefaultAzureCredential's
 * first steps, with an explicit managed-identity switch in front:
 *   1. AZURE_USE_MANAGED_IDENTITY=true → ManagedIdentityCredential (user-assigned when AZURE_CLIENT_ID is set)
 *   2. AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET → ClientSecretCredential
 *   3. AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_CERTIFICATE_PATH → ClientCertificateCredential
 *   4. AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_FEDERATED_TOKEN_FILE → WorkloadIdentityCredential (AKS)
 *   5. otherwise DefaultAzureCredential (managed identity probe, Azure CLI, azd, PowerShell...)
 */
import type * as Identity from "@azure/identity";
import type { SecureContext } from "node:tls";

/**
 * TLS settings for the SDKs' https.Agent, which spreads them into its options: a ready
 * SecureContext (outside the SDKs' declared TlsSettings, hence the casts where they are passed).
 */
export type TlsOptions = { readonly ca: string[] } | { readonly secureContext: SecureContext };

export interface CredentialSettings {
  readonly authorityHost?: string;
  readonly disableInstanceDiscovery?: boolean;
  /** TLS options shared with the vault client (extra CA). */
  readonly tlsOptions?: TlsOptions;
  /** The SDK's own retries, off as for the vault client: secrets-gen's retry() applies the one policy. */
  readonly retryOptions?: { readonly maxRetries: number; readonly retryDelayInMs: number; readonly maxRetryDelayInMs: number };
}

const TRUE = /^(1|true|yes|on)$/i;

/** The env variables that decided, for messages (names only, never values). */
export function credentialSource(env: Readonly<Record<string, string | undefined>>): string {
  if (TRUE.test(env.AZURE_USE_MANAGED_IDENTITY ?? "")) return "managed identity (AZURE_USE_MANAGED_IDENTITY)";
  const app = env.AZURE_TENANT_ID && env.AZURE_CLIENT_ID;
  if (app && env.AZURE_CLIENT_SECRET) return "service principal secret (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)";
  if (app && env.AZURE_CLIENT_CERTIFICATE_PATH) return "service principal certificate (AZURE_CLIENT_CERTIFICATE_PATH)";
  if (app && env.AZURE_FEDERATED_TOKEN_FILE) return "workload identity (AZURE_FEDERATED_TOKEN_FILE)";
  return "DefaultAzureCredential";
}

export function createCredential(
  identity: typeof Identity,
  env: Readonly<Record<string, string | undefined>>,
  settings: CredentialSettings,
): Identity.TokenCredential {
  const authorityHost = settings.authorityHost ?? env.AZURE_AUTHORITY_HOST;
  const common = {
    ...(authorityHost ? { authorityHost } : {}),
    ...(settings.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {}),
    ...(settings.tlsOptions ? { tlsOptions: settings.tlsOptions as Identity.TokenCredentialOptions["tlsOptions"] } : {}),
    ...(settings.retryOptions ? { retryOptions: { ...settings.retryOptions } } : {}),
  };
  const tenantId = env.AZURE_TENANT_ID;
  const clientId = env.AZURE_CLIENT_ID;
  if (TRUE.test(env.AZURE_USE_MANAGED_IDENTITY ?? "")) {
    return new identity.ManagedIdentityCredential({ ...(clientId ? { clientId } : {}), ...common });
  }
  if (tenantId && clientId && env.AZURE_CLIENT_SECRET) {
    return new identity.ClientSecretCredential(tenantId, clientId, env.AZURE_CLIENT_SECRET, common);
  }
  if (tenantId && clientId && env.AZURE_CLIENT_CERTIFICATE_PATH) {
    const certificate = {
      certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH,
      ...(env.AZURE_CLIENT_CERTIFICATE_PASSWORD ? { certificatePassword: env.AZURE_CLIENT_CERTIFICATE_PASSWORD } : {}),
    };
    return new identity.ClientCertificateCredential(tenantId, clientId, certificate, common);
  }
  if (tenantId && clientId && env.AZURE_FEDERATED_TOKEN_FILE) {
    return new identity.WorkloadIdentityCredential({ tenantId, clientId, tokenFilePath: env.AZURE_FEDERATED_TOKEN_FILE, ...common });
  }
  return new identity.DefaultAzureCredential({
    ...common,
    ...(clientId ? { managedIdentityClientId: clientId } : {}),
    ...(tenantId ? { tenantId } : {}),
  });
}
