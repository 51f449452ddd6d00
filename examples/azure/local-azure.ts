/**
 * Runs examples/azure/main.ts in production mode against the local Key Vault-compatible test
 * server: HTTPS with a throwaway certificate, the bearer challenge, and a service-principal login
 * (client secret) at the server's own token endpoint. `npx tsx examples/azure/local-azure.ts`
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { SecretsLoadError } from "secrets-gen/runtime";
import azureKv from "secrets-gen/providers/azure-kv";
import { createSelfSignedCertificate } from "../../test/servers/azure/cert.ts";
import { startAzureKeyVaultServer } from "../../test/servers/azure/server.ts";
import { start } from "./main.ts";

export async function runAgainstLocalAzure(): Promise<number> {
  const certificate = createSelfSignedCertificate();
  const vault = await startAzureKeyVaultServer({ certificate, clientSecret: "example-client-secret" });
  try {
    vault.setSecret("app-db", JSON.stringify({ user: "app", password: "example-password-0123456789" }), { contentType: "application/json" });
    vault.setSecret("stripe-key", "sk_live_example");
    // Explicit provider options, as for a private endpoint with its own CA; real vaults need none.
    const provider = azureKv({
      vaultUrls: { "my-vault": vault.url },
      ca: certificate.cert,
      disableInstanceDiscovery: true,
      disableChallengeResourceVerification: true, // the test vault is 127.0.0.1, not *.vault.azure.net
    });
    await start({
      production: true,
      providers: [provider],
      env: { AZURE_TENANT_ID: vault.tenantId, AZURE_CLIENT_ID: vault.clientId, AZURE_CLIENT_SECRET: "example-client-secret", AZURE_AUTHORITY_HOST: vault.authorityHost },
    });
    await provider.close?.();
    console.log(`(the local Key Vault saw ${vault.requests.length} requests: ${vault.requests.map((r) => `${r.kind} ${r.status}`).join(", ")})`);
    return 0;
  } catch (error) {
    if (!(error instanceof SecretsLoadError)) throw error;
    console.error(error.message);
    return 1;
  } finally {
    await vault.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await runAgainstLocalAzure();
