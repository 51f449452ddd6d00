// One JSON secret per environment ("prod/app") feeds several fields; the signing key is binary.
import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  DB_USER: secret(z.string(), { from: "aws-sm://prod/app#db_user", productionSources: ["manager"] }),
  DB_PASSWORD: secret(z.string().min(16), { from: "aws-sm://prod/app#db_password", productionSources: ["manager"] }),
  REDIS_URL: secret(z.url(), { from: "aws-sm://prod/app#redis_url", description: "Cache" }),
  STRIPE_KEY: secret(z.string().startsWith("sk_"), { from: "aws-sm://prod/stripe?versionStage=AWSCURRENT#api_key" }),
  PORT: z.coerce.number().int().default(3000).describe("HTTP port"),
});
