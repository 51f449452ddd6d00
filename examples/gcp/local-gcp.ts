/**
 * Runs examples/gcp/main.ts in production mode against the local Secret Manager-compatible test
 * server (REST), authenticated with a throwaway service-account key the server verifies.
 * `npx tsx examples/gcp/local-gcp.ts`
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { startGcpServer } from "../../test/servers/gcp/server.ts";
import { runApp } from "../run-app.ts";

export async function runAgainstLocalGcp(): Promise<number> {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyDir = mkdtempSync(join(tmpdir(), "secrets-gen-gcp-example-"));
  const keyFile = join(keyDir, "service-account.json");
  writeFileSync(keyFile, JSON.stringify({
    type: "service_account",
    project_id: "example-project",
    private_key_id: "example-key",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }),
    client_email: "app@example-project.iam.gserviceaccount.com",
    client_id: "1",
    token_uri: "http://127.0.0.1:9/token", // unused: with a key file the SDK signs its own JWT
  }));
  const gcp = await startGcpServer({ projects: { "example-project": 123456789012 }, serviceAccountKeys: [publicKey] });
  try {
    gcp.store.addVersion("example-project", "app-db", JSON.stringify({ user: "app", password: "example-password-0123456789" }));
    gcp.store.addVersion("example-project", "signing-key", "example-signing-key-version-1-0123456789");
    gcp.store.addVersion("example-project", "signing-key", "example-signing-key-version-2-0123456789");
    const code = await runApp(fileURLToPath(new URL("./main.ts", import.meta.url)), {
      NODE_ENV: "production",
      GCP_PROJECT_ID: "example-project",
      GCP_SM_ENDPOINT: gcp.url,
      GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    });
    console.log(`(the local Secret Manager saw ${gcp.accessCount()} access calls: ${gcp.requests.map((r) => r.name).join(", ")})`);
    return code;
  } finally {
    await gcp.close();
    rmSync(keyDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await runAgainstLocalGcp();
