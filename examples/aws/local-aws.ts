/**
 * Runs examples/aws/main.ts in production mode against the local Secrets Manager-compatible
 * test server (JSON 1.1 protocol, SigV4-signed requests). `npx tsx examples/aws/local-aws.ts`
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { startAwsServer } from "../../test/servers/aws/server.ts";
import { runApp } from "../run-app.ts";

export async function runAgainstLocalAws(): Promise<number> {
  const aws = await startAwsServer({ region: "eu-west-1" });
  try {
    aws.seed("prod/app", { db_user: "app", db_password: "example-password-0123456789", redis_url: "redis://cache.internal:6379" });
    aws.seed("prod/stripe", { api_key: "sk_live_example" });
    const code = await runApp(fileURLToPath(new URL("./main.ts", import.meta.url)), {
      NODE_ENV: "production",
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "example-secret-access-key",
    });
    console.log(`(the local Secrets Manager saw ${aws.requests.length} requests: ${aws.requests.map((r) => r.op).join(", ")})`);
    return code;
  } finally {
    await aws.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await runAgainstLocalAws();
