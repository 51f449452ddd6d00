// Secrets in GCP Secret Manager: a JSON secret feeding two fields, and a pinned version.
import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  DB_USER: secret(z.string(), { from: "gcp-sm://app-db#user", productionSources: ["manager"] }),
  DB_PASSWORD: secret(z.string().min(16), { from: "gcp-sm://app-db#password", productionSources: ["manager"] }),
  SIGNING_KEY: secret(z.string().min(32), { from: "gcp-sm://signing-key?version=1", description: "Token signing key, pinned to version 1" }),
  PORT: z.coerce.number().int().default(3000).describe("HTTP port"),
});
