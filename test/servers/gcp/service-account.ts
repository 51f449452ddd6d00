/**
 * A throwaway service-account key file for the GCP test server: with a key file the SDK signs its
 * own JWT (no token endpoint, no network), and the server verifies it with the public half.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { writeFileSync } from "node:fs";

export function writeServiceAccountKey(path: string, projectId: string, keyId = "test-key"): { publicKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(path, JSON.stringify({
    type: "service_account",
    project_id: projectId,
    private_key_id: keyId,
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }),
    client_email: `app@${projectId}.iam.gserviceaccount.com`,
    client_id: "1",
    token_uri: "http://127.0.0.1:9/token", // never used: the SDK signs its own JWT
  }));
  return { publicKey };
}
