/**
 * sdkLoad: (1) an app whose fields all use vault:// refs loads node-vault and no other provider
 * SDK (a module trace of the real process, not a timing); (2) what importing each SDK costs a
 * process, against `node -e 0`.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startVaultServer } from "../../test/servers/vault/server.ts";
import { generateCompiledAccessor } from "../fixtures/env-apps.ts";
import { packagesIn, SDK_PACKAGES } from "../fixtures/sdks.ts";
import { runNode, timeAlternating, type NodeCommand } from "../lib/processes.ts";
import { SCRATCH } from "../lib/paths.ts";
import type { BenchCase } from "../lib/result.ts";
import { ratio, round } from "../lib/stats.ts";

const TRACER = fileURLToPath(new URL("../lib/trace-packages.mjs", import.meta.url));
const VAULT_TOKEN = "hvs.bench-root-token";
const VAULT_FIELDS = 10;

export const sdkLoad: BenchCase = {
  name: "sdkLoad",
  async run({ quick }) {
    const loaded = await packagesOfVaultOnlyApp();
    const others = Object.entries(SDK_PACKAGES).filter(([scheme]) => scheme !== "vault").flatMap(([, names]) => names);
    const apps = importApps();
    // Control: the trace must see an ESM-only SDK, or "no other SDK loaded" would prove nothing.
    const azure = await tracedPackages("azure import", apps["azure-kv"]!);
    const importCost = await timeAlternating(apps, quick ? 1 : 8);
    const bare = importCost.nodeBare!;
    return {
      ratios: Object.fromEntries(
        Object.keys(SDK_PACKAGES).map((scheme) => [`sdkLoad.import.${scheme}VsNodeBare`, ratio(importCost[scheme]!, bare)]),
      ),
      medians: {
        ...Object.fromEntries(Object.entries(importCost).map(([name, ms]) => [`sdkLoad.import.${name}Ms`, round(ms, 1)])),
        "sdkLoad.vaultOnly.packagesLoaded": loaded.size,
      },
      checks: {
        "sdkLoad.vaultOnly.loadsNodeVault": loaded.has("node-vault"),
        "sdkLoad.vaultOnly.loadsNoOtherSdk": others.every((name) => !loaded.has(name)),
        "sdkLoad.tracerSeesEsmSdk": SDK_PACKAGES["azure-kv"]!.every((name) => azure.has(name)),
      },
      notes: [
        `vault-only app (${VAULT_FIELDS} vault:// fields) loaded: ${[...loaded].sort().join(", ")}`,
        "not measured yet: that several SDKs load once each and in parallel",
      ],
    };
  },
};

/** Run a generated accessor whose fields are all vault:// refs against the Vault test server, traced. */
async function packagesOfVaultOnlyApp(): Promise<Set<string>> {
  const server = await startVaultServer({ rootToken: VAULT_TOKEN });
  try {
    server.putSecret("secret", "bench/app", Object.fromEntries(Array.from({ length: VAULT_FIELDS }, (_, i) => [`k${i}`, `value-${i}`])));
    const fields = Array.from({ length: VAULT_FIELDS }, (_, i) => `  VAULT_${i}: secret(z.string(), { from: "vault://bench/app#k${i}" }),`);
    const schema = `import { z } from "zod";\nimport { defineSecrets, secret } from "secrets-gen";\n\nexport default defineSecrets({\n${fields.join("\n")}\n});\n`;
    const dir = await generateCompiledAccessor("sdk-vault-only", schema);
    writeFileSync(join(dir, "app.mjs"), 'import { secrets } from "./generated/index.js";\nif (secrets.VAULT_0 !== "value-0") throw new Error("not loaded");\n');
    return await tracedPackages("vault-only app", {
      args: [join(dir, "app.mjs")],
      cwd: dir,
      env: { VAULT_ADDR: server.url, VAULT_TOKEN, SECRETS_DOCKER_DIR: join(dir, "none"), HOME: dir },
    });
  } finally {
    await server.close();
  }
}

/** Run `command` with the module tracer and return the packages it loaded. */
async function tracedPackages(name: string, command: NodeCommand): Promise<Set<string>> {
  const trace = join(command.cwd ?? SCRATCH, `${name.replace(/\W+/g, "-")}.trace`);
  writeFileSync(trace, "");
  await runNode(name, { ...command, args: ["--import", TRACER, ...command.args], env: { ...command.env, BENCH_TRACE_FILE: trace } });
  return packagesIn(readFileSync(trace, "utf8"));
}

/** One app per provider that only imports its SDK(s), plus `node -e 0`. */
function importApps(): Record<string, NodeCommand> {
  const dir = join(SCRATCH, "sdk-imports");
  mkdirSync(dir, { recursive: true });
  const apps: Record<string, NodeCommand> = { nodeBare: { args: ["-e", "0"], cwd: dir } };
  for (const [scheme, names] of Object.entries(SDK_PACKAGES)) {
    const file = join(dir, `import-${scheme}.mjs`);
    writeFileSync(file, names.map((name) => `import "${name}";\n`).join(""));
    apps[scheme] = { args: [file], cwd: dir };
  }
  return apps;
}
