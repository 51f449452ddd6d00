/**
 * The app. Run directly (`npx tsx examples/azure/main.ts`) it uses DefaultAzureCredential and
 * https://my-vault.vault.azure.net; `start(options)` lets a caller configure the provider in code,
 * as local-azure.ts does for the local test vault.
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { explain } from "secrets-gen/runtime";
import { loadSecrets } from "./generated/secrets.ts";

export async function start(options?: Parameters<typeof loadSecrets>[0]): Promise<void> {
  const secrets = await loadSecrets(options);
  console.log(`starting on port ${secrets.PORT}; where each secret came from (values never shown):`);
  console.log(explain(secrets));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await start();
