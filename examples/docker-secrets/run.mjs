// Run the Node example app the way Docker runs it with `secrets:`: each secret is a file in
// /run/secrets, and the process is in production. Plain Node, no dependencies:
//   node examples/docker-secrets/run.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx/cli");

// A stand-in for /run/secrets. Docker names each file after the secret's key in `secrets:`;
// secrets-gen looks for the field's `file` option, else its name, else its name in lower case.
const runSecrets = mkdtempSync(join(tmpdir(), "run-secrets-"));
const files = {
  database_url: "postgres://app:fake-example-password@db:5432/app", // lower-case fallback of DATABASE_URL
  session_secret: "fake-example-session-secret-0123456789abcdef", // the field's `file` option
  STRIPE_API_KEY: "sk_test_fake_example_key_not_real", // production accepts this field only from files
  mail_relay_password: "fake-example-smtp-password", // found through SMTP_PASSWORD_FILE below
};
for (const [name, value] of Object.entries(files)) {
  // Docker writes the secret verbatim; a trailing newline (as `echo` adds) is trimmed by secrets-gen.
  writeFileSync(join(runSecrets, name), `${value}\n`, { mode: 0o400 });
}

// Start from the caller's environment minus anything that would mask the files.
const env = { ...process.env };
for (const name of ["DATABASE_URL", "SESSION_SECRET", "STRIPE_API_KEY", "SMTP_PASSWORD", "SECRETS_K8S_DIR", "SECRETS_ENV"]) {
  delete env[name];
  delete env[`${name}_FILE`];
}
Object.assign(env, {
  NODE_ENV: "production",
  SECRETS_DOCKER_DIR: runSecrets,
  // The <NAME>_FILE convention (as in the official postgres/mysql images): a path to the file.
  SMTP_PASSWORD_FILE: join(runSecrets, "mail_relay_password"),
  PORT: "8080",
  LOG_LEVEL: "warn",
});

const app = (environment) => spawnSync(process.execPath, [tsx, "examples/node/main.ts"], { cwd: repo, env: environment, stdio: "inherit" });
try {
  console.log(`secrets directory: ${runSecrets} (stands in for /run/secrets)`);
  console.log("1) examples/node/main.ts with NODE_ENV=production, every secret a file:\n");
  const ok = app(env);

  // STRIPE_API_KEY has productionSources ["kubernetes", "docker"]: a plain env var is not enough.
  rmSync(join(runSecrets, "STRIPE_API_KEY"));
  console.log("\n2) the same without the STRIPE_API_KEY file, given as an env var instead (production must refuse):\n");
  const refused = app({ ...env, STRIPE_API_KEY: "sk_test_fake_example_key_not_real" });
  console.log(`\nexit codes: ${ok.status} (started), ${refused.status} (refused)`);
  process.exitCode = ok.status === 0 && refused.status === 1 ? 0 : 1;
} finally {
  rmSync(runSecrets, { recursive: true, force: true });
}
