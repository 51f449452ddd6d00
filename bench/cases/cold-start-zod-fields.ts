/**
 * coldStart.zodFields100: the env-only cold start again, but every fifth field (20 of 100) is a
 * refine or a transform, which no plan carries — as in real schemas. The accessor in production
 * then imports the schema and zod once, and checks the generated module against them, before it
 * validates; the peers validate the same fields (envalid with makeValidator for those 20).
 */
import { prepareEnvOnlyApps } from "../fixtures/env-apps.ts";
import { timeAlternating } from "../lib/processes.ts";
import type { BenchCase } from "../lib/result.ts";
import { ratio, round } from "../lib/stats.ts";

const ZOD_ONLY_EVERY = 5;

export const coldStartZodFields: BenchCase = {
  name: "coldStart.zodFields100",
  async run({ quick }) {
    const fields = quick ? 10 : 100;
    const apps = await prepareEnvOnlyApps("zod-fields", fields, ZOD_ONLY_EVERY);
    const { secretsGenDev: _development, zodImport: _zodImport, ...variants } = apps;
    const medians = await timeAlternating(variants, quick ? 1 : 15);
    const ms = (name: string) => medians[name]!;
    const key = "coldStart.zodFields100";
    return {
      ratios: {
        [`${key}.vsT3env`]: ratio(ms("secretsGen"), ms("t3env")),
        [`${key}.vsZod`]: ratio(ms("secretsGen"), ms("zod")),
        [`${key}.vsEnvalid`]: ratio(ms("secretsGen"), ms("envalid")),
        [`${key}.vsNodeBare`]: ratio(ms("secretsGen"), ms("nodeBare")),
      },
      medians: Object.fromEntries(Object.entries(medians).map(([name, value]) => [`${key}.${name}Ms`, round(value, 1)])),
      targets: { [`${key}.vsT3env`]: { max: 1.0, label: "≤ t3-env" } },
      notes: [`${fields} fields, ${fields / ZOD_ONLY_EVERY} of them refine/transform, ${quick ? 1 : 15} alternating rounds`],
    };
  },
};
