/**
 * codegen.scaling: the CLI (`secrets-gen`, via tsx as from a checkout) on 20-, 200- and
 * 1000-field schemas, and `--check` on an up-to-date 200-field schema against generating it.
 * Generation is timed with --no-cache (the type checker always runs); `--check` both as a user
 * meets it (nothing changed since the last run: the input digest answers) and with --no-cache.
 */
import { cliCommand, writeSchema } from "../fixtures/env-apps.ts";
import { runNode, timeAlternating } from "../lib/processes.ts";
import type { BenchCase } from "../lib/result.ts";
import { ratio, round } from "../lib/stats.ts";

const ROUNDS = 2;

export const codegen: BenchCase = {
  name: "codegen.scaling",
  async run({ quick }) {
    const [small, middle, large] = quick ? [2, 4, 8] : [20, 200, 1000];
    const schemas = { small: writeSchema(`codegen-${small}`, small), middle: writeSchema(`codegen-${middle}`, middle), large: writeSchema(`codegen-${large}`, large) };
    // Generate once first (also the warm-up), so every timed run and --check sees up-to-date output.
    for (const [name, schema] of Object.entries(schemas)) await runNode(name, cliCommand(["--schema", schema]));
    const medians = await timeAlternating(
      {
        generateSmall: cliCommand(["--no-cache", "--schema", schemas.small]),
        generateMiddle: cliCommand(["--no-cache", "--schema", schemas.middle]),
        generateLarge: cliCommand(["--no-cache", "--schema", schemas.large]),
        checkMiddle: cliCommand(["--check", "--schema", schemas.middle]),
        checkMiddleNoCache: cliCommand(["--check", "--no-cache", "--schema", schemas.middle]),
      },
      quick ? 1 : ROUNDS,
      { warmUp: false },
    );
    return {
      ratios: {
        "codegen.scaling.large1000VsSmall20": ratio(medians.generateLarge!, medians.generateSmall!),
        "codegen.scaling.check200VsGenerate200": ratio(medians.checkMiddle!, medians.generateMiddle!),
        "codegen.scaling.check200NoCacheVsGenerate200": ratio(medians.checkMiddleNoCache!, medians.generateMiddle!),
      },
      medians: {
        "codegen.scaling.generate20Ms": round(medians.generateSmall!, 1),
        "codegen.scaling.generate200Ms": round(medians.generateMiddle!, 1),
        "codegen.scaling.generate1000Ms": round(medians.generateLarge!, 1),
        "codegen.scaling.check200Ms": round(medians.checkMiddle!, 1),
        "codegen.scaling.check200NoCacheMs": round(medians.checkMiddleNoCache!, 1),
      },
      targets: {
        "codegen.scaling.large1000VsSmall20": { max: 3, label: "≤ 3" },
        "codegen.scaling.check200VsGenerate200": { max: 1, label: "≤ 1 (no slower)" },
      },
      notes: [`schemas of ${small}/${middle}/${large} fields, ${quick ? 1 : ROUNDS} alternating rounds (each run is seconds of type checking)`],
    };
  },
};
