/** A NODE_ENV that almost says "production" must not quietly run development rules. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { loadSecrets } from "../../src/runtime/index.ts";
import { tempDir } from "../helpers/tmp.ts";

const empty = tempDir();
const schema = defineSecrets({ TOKEN: secret(z.string(), { devDefault: "dev-token-value" }) });

async function warningsFor(env: Record<string, string | undefined>, production?: boolean): Promise<string[]> {
  const warnings: string[] = [];
  await loadSecrets(schema, { env, dockerDir: empty, cwd: empty, onWarning: (message) => void warnings.push(message), ...(production === undefined ? {} : { production }) });
  return warnings;
}

describe("NODE_ENV near misses", () => {
  it.each(["prod", "Production", "production ", "PRODUCTION", "prd"])("warns that NODE_ENV=%j runs development rules", async (value) => {
    const warnings = await warningsFor({ NODE_ENV: value });
    expect(warnings).toContain(
      `NODE_ENV is ${JSON.stringify(value)}, which is not exactly "production", so development rules apply (dev defaults, .env files, fall-through on manager errors): set NODE_ENV=production or SECRETS_ENV=production, or NODE_ENV=development to silence this`,
    );
  });

  it.each([{ NODE_ENV: "development" }, { NODE_ENV: "test" }, {}, { NODE_ENV: "prod", SECRETS_ENV: "development" }])("stays quiet for %j", async (env) => {
    expect(await warningsFor(env)).toEqual([]);
  });

  it("stays quiet when production is decided by SECRETS_ENV or the option", async () => {
    expect(await warningsFor({ NODE_ENV: "prod" }, false)).toEqual([]);
    await expect(warningsFor({ NODE_ENV: "prod", SECRETS_ENV: "production" })).rejects.toThrow("production mode");
  });
});
