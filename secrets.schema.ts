// The example app's secrets and config: what examples/ and `npm run demo` load.
import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  DATABASE_URL: secret(z.url(), {
    description: "Primary PostgreSQL database",
    devDefault: "postgres://app:app@localhost:5432/app_dev",
  }),
  SESSION_SECRET: secret(z.string().min(32), {
    description: "Signs session cookies",
    file: "session_secret",
    devDefault: "dev-only-session-secret-not-for-production",
  }),
  STRIPE_API_KEY: secret(z.string().startsWith("sk_"), {
    description: "Stripe secret key",
    productionSources: ["kubernetes", "docker"],
    devDefault: "sk_test_dev_placeholder",
  }),
  SMTP_PASSWORD: secret(z.string().min(8), { description: "Outgoing mail relay password", optional: true }),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000).describe("HTTP port"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info").describe("Log verbosity"),
  ALLOWED_ORIGINS: z
    .string()
    .default("http://localhost:3000")
    .transform((origins) => origins.split(",").map((origin) => origin.trim()))
    .describe("Comma-separated CORS origins"),
});
