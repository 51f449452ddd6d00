/**
 * How much of a real schema a production start validates without zod: per schema in
 * test/fixtures/real-schemas/, the share of fields with a validator plan, and of those the ones
 * whose plan answers a missing value too (a default the plan does not carry hands it to zod).
 *
 *   node --import tsx bench/plan-coverage.ts                 # this checkout's plan-of
 *   node --import tsx bench/plan-coverage.ts --before main   # …next to plan-of as of a git rev
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { SecretsSchema } from "../src/schema/define.ts";
import type { Plan } from "../src/schema/plan.ts";
import { planOf } from "../src/schema/plan-of.ts";
import { REPO } from "./lib/paths.ts";

type PlanOf = (schema: unknown) => Plan | null;

const FIXTURES = join(REPO, "test/fixtures/real-schemas");

const { values } = parseArgs({ options: { before: { type: "string" } } });
const before = values.before === undefined ? undefined : await planOfAt(values.before);

for (const file of readdirSync(FIXTURES).filter((name) => name.endsWith(".schema.ts")).sort()) {
  const schema = ((await import(pathToFileURL(join(FIXTURES, file)).href)) as { default: SecretsSchema }).default;
  const columns = [before && `before ${describe(coverage(schema, before))}`, `now ${describe(coverage(schema, planOf))}`];
  console.log(`${file.replace(".schema.ts", "")} (${schema.fields.length} fields): ${columns.filter(Boolean).join(" | ")}`);
  const left = schema.fields.filter((field) => planOf(field.validator) === null).map((field) => field.name);
  if (left.length > 0) console.log(`  still validated by zod: ${left.join(", ")}`);
}

interface Coverage {
  readonly fields: number;
  /** Fields with a plan. */
  readonly planned: number;
  /** Fields whose plan also answers a missing value (no default left to zod). */
  readonly missingToo: number;
}

function coverage(schema: SecretsSchema, plan: PlanOf): Coverage {
  const plans = schema.fields.map((field) => plan(field.validator));
  return {
    fields: plans.length,
    planned: plans.filter((one) => one !== null).length,
    missingToo: plans.filter((one) => one !== null && !defaultLeftToZod(one)).length,
  };
}

function describe({ fields, planned, missingToo }: Coverage): string {
  const share = (count: number) => `${count}/${fields} (${Math.round((100 * count) / fields)}%)`;
  return `planned ${share(planned)}, missing value too ${share(missingToo)}`;
}

/** A missing value reaches a default the plan does not carry (see the runner's "default" case). */
function defaultLeftToZod(plan: Plan): boolean {
  if (plan.type === "default") return !("value" in plan);
  return "inner" in plan && defaultLeftToZod(plan.inner as Plan);
}

/** plan-of.ts and plan.ts as of a git rev, copied into bench/.tmp so zod resolves from the repo. */
async function planOfAt(rev: string): Promise<PlanOf> {
  const dir = join(REPO, "bench/.tmp/plan-coverage", rev.replace(/[^\w.-]/g, "_"));
  mkdirSync(dir, { recursive: true });
  for (const name of ["plan.ts", "plan-of.ts"]) {
    writeFileSync(join(dir, name), execFileSync("git", ["show", `${rev}:src/schema/${name}`], { cwd: REPO }));
  }
  return ((await import(pathToFileURL(join(dir, "plan-of.ts")).href)) as { planOf: PlanOf }).planOf;
}
