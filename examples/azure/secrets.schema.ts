// Secrets in Azure Key Vault "my-vault": a JSON secret feeding two fields, and a plain one.
import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  DB_USER: secret(z.string(), { from: "azure-kv://my-vault/app-db#user", productionSources: ["manager"] }),
  DB_PASSWORD: secret(z.string().min(16), { from: "azure-kv://my-vault/app-db#password", productionSources: ["manager"] }),
  STRIPE_KEY: secret(z.string().startsWith("sk_"), { from: "azure-kv://my-vault/stripe-key" }),
  PORT: z.coerce.number().int().default(3000).describe("HTTP port"),
});
