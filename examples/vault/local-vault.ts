/**
 * Runs examples/vault/main.ts in production mode against the local Vault-compatible test server,
 * logging in with AppRole inside the namespace "team-a", as a real deployment would.
 * `npx tsx examples/vault/local-vault.ts`
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { startVaultServer } from "../../test/servers/vault/server.ts";
import { runApp } from "../run-app.ts";

export async function runAgainstLocalVault(): Promise<number> {
  const vault = await startVaultServer();
  try {
    const namespace = { namespace: "team-a" };
    vault.mountKv("secret", 2, namespace);
    vault.putSecret("secret", "app/db", { url: "postgres://app@db.internal:5432/app", password: "example-password-0123456789" }, namespace);
    vault.putSecret("secret", "payments/stripe", { key: "sk_live_example_v1" }, namespace);
    vault.putSecret("secret", "payments/stripe", { key: "sk_live_example_v2" }, namespace);
    vault.setPolicy("app-read", { "secret/data/app/*": ["read"], "secret/data/payments/*": ["read"] }, namespace);
    vault.addAppRole("app", { roleId: "example-role-id", secretIds: ["example-secret-id"], policies: ["app-read"], ttl: 3600 }, namespace);

    const code = await runApp(fileURLToPath(new URL("./main.ts", import.meta.url)), {
      NODE_ENV: "production",
      VAULT_ADDR: vault.url,
      VAULT_NAMESPACE: "team-a",
      VAULT_ROLE_ID: "example-role-id",
      VAULT_SECRET_ID: "example-secret-id",
    });
    console.log(`(the local Vault saw ${vault.requests.length} requests: ${vault.requests.map((r) => `${r.method} ${r.path}`).join(", ")})`);
    return code;
  } finally {
    await vault.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await runAgainstLocalVault();
