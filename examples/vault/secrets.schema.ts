// A service whose database credentials live in Vault (or OpenBao), KV v2 at secret/app/db.
import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  DATABASE_URL: secret(z.url(), {
    from: "vault://app/db#url",
    description: "Primary database, from Vault only in production",
    productionSources: ["manager"],
  }),
  DATABASE_PASSWORD: secret(z.string().min(16), {
    from: "vault://app/db#password",
    description: "Database password",
    productionSources: ["manager"],
  }),
  PAYMENTS_KEY: secret(z.string().startsWith("sk_"), {
    from: "vault://payments/stripe?version=1#key",
    description: "Payment provider key, pinned to version 1",
  }),
  PORT: z.coerce.number().int().default(3000).describe("HTTP port"),
});
