/**
 * memory.envOnly: peak RSS (process.resourceUsage().maxRSS at exit) of the env-only cold-start
 * app against the plain-zod app reading and validating the same inputs.
 */
import { prepareEnvOnlyApps } from "../fixtures/env-apps.ts";
import { peakRssMiB } from "../lib/processes.ts";
import type { BenchCase } from "../lib/result.ts";
import { round } from "../lib/stats.ts";

export const memory: BenchCase = {
  name: "memory.envOnly",
  async run({ quick }) {
    const apps = await prepareEnvOnlyApps("env-only", quick ? 10 : 100);
    const mib = await peakRssMiB({ nodeBare: apps.nodeBare!, zod: apps.zod!, secretsGen: apps.secretsGen! }, quick ? 1 : 5);
    return {
      // A difference, not a ratio: the bound is "plain zod's + 5 MiB".
      ratios: { "memory.envOnly.extraMiBVsZod": round(mib.secretsGen! - mib.zod!, 1) },
      medians: {
        "memory.envOnly.secretsGenMiB": round(mib.secretsGen!, 1),
        "memory.envOnly.zodMiB": round(mib.zod!, 1),
        "memory.envOnly.nodeBareMiB": round(mib.nodeBare!, 1),
      },
      targets: { "memory.envOnly.extraMiBVsZod": { max: 5, label: "≤ +5 MiB" } },
    };
  },
};
