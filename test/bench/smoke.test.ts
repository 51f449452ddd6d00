/**
 * CI smoke of `npm run bench`: the quick mode (1 round, tiny sizes) runs every case, and
 * latest.json is well formed with every stable name. No timing is asserted: CI machines vary.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SCRATCH_NAME = `smoke-${process.pid}`;

/** The stable keys of bench/results/latest.json (bench/README.md documents each). */
const RATIOS = [
  "coldStart.envOnly100.vsZod",
  "coldStart.envOnly100.vsNodeBare",
  "coldStart.envOnly100.vsT3env",
  "coldStart.envOnly100.vsEnvalid",
  "coldStart.envOnly100.zodVsNodeBare",
  "coldStart.envOnly100.t3envVsNodeBare",
  "coldStart.envOnly100.envalidVsNodeBare",
  "coldStart.envOnly100.zodImportVsNodeBare",
  "coldStart.envOnly100.developmentVsZod",
  "coldStart.zodFields100.vsT3env",
  "coldStart.zodFields100.vsZod",
  "coldStart.zodFields100.vsEnvalid",
  "coldStart.zodFields100.vsNodeBare",
  "memory.envOnly.extraMiBVsZod",
  "sdkLoad.import.vaultVsNodeBare",
  "sdkLoad.import.aws-smVsNodeBare",
  "sdkLoad.import.gcp-smVsNodeBare",
  "sdkLoad.import.azure-kvVsNodeBare",
  "remote.100fields4managers.vsRoundTripLimit",
  "remote.100fields4managers.sequentialVsLoad",
  "remote.100fields4managers.clientCpuVsRoundTripLimit",
  "remote.100fields4managers.alone.vaultVsItsLimit",
  "remote.100fields4managers.alone.aws-smVsItsLimit",
  "remote.100fields4managers.alone.gcp-smVsItsLimit",
  "remote.100fields4managers.alone.azure-kvVsItsLimit",
  "hotRead.vsPlainObject",
  "hotRead.refreshingVsPlainObject",
  "codegen.scaling.large1000VsSmall20",
  "codegen.scaling.check200VsGenerate200",
  "codegen.scaling.check200NoCacheVsGenerate200",
];
const CHECKS = ["sdkLoad.vaultOnly.loadsNodeVault", "sdkLoad.vaultOnly.loadsNoOtherSdk", "sdkLoad.tracerSeesEsmSdk"];

afterAll(() => rmSync(join(REPO, "bench/.tmp", SCRATCH_NAME), { recursive: true, force: true }));

describe("npm run bench --quick", () => {
  const out = join(tempDir("bench-smoke-"), "latest.json");

  it("runs every case and writes well-formed results", { timeout: 300_000 }, () => {
    const { npm_node_execpath: _unused, ...env } = process.env;
    const run = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", "--quick", "--out", out], {
      cwd: REPO,
      env: { ...env, BENCH_SCRATCH_NAME: SCRATCH_NAME },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("| metric | value | target | met |");

    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.quick).toBe(true);
    expect(report.errors).toEqual({});
    expect(report.machine).toMatchObject({ cores: expect.any(Number), node: process.version });
    expect(Number.isNaN(Date.parse(report.date))).toBe(false);
    expect(Object.keys(report.ratios).sort()).toEqual([...RATIOS].sort());
    for (const name of RATIOS) expect(Number.isFinite(report.ratios[name]), name).toBe(true);
    for (const value of Object.values(report.medians)) expect(Number.isFinite(value)).toBe(true);
    for (const name of CHECKS) expect(report.checks[name], name).toBe(true);
  });
});
