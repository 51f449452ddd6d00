/**
 * coldStart.envOnly100: wall time of a process that imports the generated accessor (100 fields
 * from env, 5 of them from `<NAME>_FILE` files, all validated) against the same work done with
 * plain zod, envalid and t3-env, and against `node -e 0`. The accessor runs in production (plans,
 * no zod); its development run (schema and zod imported, generated module checked) is reported too.
 */
import { prepareEnvOnlyApps } from "../fixtures/env-apps.ts";
import { timeAlternating } from "../lib/processes.ts";
import type { BenchCase } from "../lib/result.ts";
import { ratio, round } from "../lib/stats.ts";

export const coldStart: BenchCase = {
  name: "coldStart.envOnly100",
  async run({ quick }) {
    const fields = quick ? 10 : 100;
    const medians = await timeAlternating(await prepareEnvOnlyApps("env-only", fields), quick ? 1 : 15);
    const ms = (name: string) => medians[name]!;
    const key = "coldStart.envOnly100";
    return {
      ratios: {
        [`${key}.vsZod`]: ratio(ms("secretsGen"), ms("zod")),
        [`${key}.vsNodeBare`]: ratio(ms("secretsGen"), ms("nodeBare")),
        [`${key}.vsT3env`]: ratio(ms("secretsGen"), ms("t3env")),
        [`${key}.vsEnvalid`]: ratio(ms("secretsGen"), ms("envalid")),
        [`${key}.zodVsNodeBare`]: ratio(ms("zod"), ms("nodeBare")),
        [`${key}.t3envVsNodeBare`]: ratio(ms("t3env"), ms("nodeBare")),
        [`${key}.envalidVsNodeBare`]: ratio(ms("envalid"), ms("nodeBare")),
        [`${key}.zodImportVsNodeBare`]: ratio(ms("zodImport"), ms("nodeBare")),
        [`${key}.developmentVsZod`]: ratio(ms("secretsGenDev"), ms("zod")),
      },
      medians: Object.fromEntries(Object.entries(medians).map(([name, value]) => [`${key}.${name}Ms`, round(value, 1)])),
      targets: {
        [`${key}.vsZod`]: { max: 1.0, label: "≤ 1.0× plain zod" },
        [`${key}.vsT3env`]: { max: 1.0, label: "ahead of t3-env" },
        [`${key}.vsEnvalid`]: { max: 1.0, label: "stretch: ≤ envalid" },
      },
      notes: [`${fields} fields, ${quick ? 1 : 15} alternating rounds`],
    };
  },
};
