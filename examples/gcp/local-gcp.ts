/**
 * Runs examples/gcp/main.ts in production mode against the local Secret Manager-compatible test
 * server (REST), authenticated with a throwaway service-account key the server verifies.
 * `npx tsx examples/gcp/local-gcp.ts`
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { startGcpServer } from "../../test/servers/gcp/server.ts";
import { writeServiceAccountKey } from "../../test/servers/gcp/service-account.ts";
import { runApp } from "../run-app.ts";

export async function runAgainstLocalGcp(): Promise<number> {
  const keyDir = mkdtempSync(join(tmpdir(), "secrets-gen-gcp-example-"));
  const keyFile = join(keyDir, "service-account.json");
  const { publicKey } = writeServiceAccountKey(keyFile, "example-project");
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
