/**
 * `npm run demo`: the whole job end to end on this machine, no cloud needed.
 * Generates the typed accessor, runs the example app in development (dev defaults + a local
 * Docker-style secret file), shows production refusing to start without its secrets, starts it
 * with them, then resolves secrets from the local Vault, AWS, GCP and Azure-compatible servers.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runAgainstLocalAws } from "../aws/local-aws.ts";
import { runAgainstLocalAzure } from "../azure/local-azure.ts";
import { runAgainstLocalGcp } from "../gcp/local-gcp.ts";
import { runAgainstLocalVault } from "../vault/local-vault.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const app = join(root, "examples/node/main.ts");
const secretsDir = mkdtempSync(join(tmpdir(), "secrets-gen-demo-"));

async function step(title: string, command: string[], env: Record<string, string> = {}): Promise<number> {
  console.log(`\n\x1b[1m── ${title}\x1b[0m\n$ ${[...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command].join(" ")}`);
  const child = spawn(process.execPath, command, { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "development", ...env } });
  const [code] = (await once(child, "exit")) as [number | null];
  console.log(`(exit code ${code})`);
  return code ?? 1;
}

try {
  // Docker-style secret files, as `docker compose` mounts them under /run/secrets.
  writeFileSync(join(secretsDir, "session_secret"), "demo-session-secret-from-a-docker-file\n");
  writeFileSync(join(secretsDir, "STRIPE_API_KEY"), "sk_test_demo_from_docker_file\n");
  const failures = [
    await step("1. Generate the typed accessor from secrets.schema.ts", ["packages/cli/dist/main.js"]) !== 0,
    await step("2. Development: a Docker secret file, dev defaults and env", ["--import", "tsx", app], { SECRETS_DOCKER_DIR: secretsDir, PORT: "8080" }) !== 0,
    await step("3. Production without DATABASE_URL: refuses to start, naming every bad field", ["--import", "tsx", app], { NODE_ENV: "production", SECRETS_DOCKER_DIR: secretsDir, STRIPE_API_KEY: "sk_live_in_env_is_not_accepted" }) !== 1,
    await step("4. Production with every secret from an accepted source", ["--import", "tsx", app], { NODE_ENV: "production", SECRETS_DOCKER_DIR: secretsDir, DATABASE_URL: "postgres://app@db.internal:5432/app" }) !== 0,
  ];
  console.log("\n\x1b[1m── 5. Production with secrets from the local Vault-compatible server (AppRole, namespace team-a)\x1b[0m");
  failures.push((await runAgainstLocalVault()) !== 0);
  console.log("\n\x1b[1m── 6. Production with secrets from the local AWS Secrets Manager-compatible server (one batch call)\x1b[0m");
  failures.push((await runAgainstLocalAws()) !== 0);
  console.log("\n\x1b[1m── 7. Production with secrets from the local GCP Secret Manager-compatible server\x1b[0m");
  failures.push((await runAgainstLocalGcp()) !== 0);
  console.log("\n\x1b[1m── 8. Production with secrets from the local Azure Key Vault-compatible server (HTTPS, challenge auth)\x1b[0m");
  failures.push((await runAgainstLocalAzure()) !== 0);
  if (failures.some(Boolean)) {
    console.error("\ndemo: a step did not end as expected (see above)");
    process.exitCode = 1;
  }
} finally {
  rmSync(secretsDir, { recursive: true, force: true });
}
