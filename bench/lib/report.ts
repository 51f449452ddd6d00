/** The run's results as bench/results/latest.json and as a Markdown table. */
import { cpus, loadavg, platform } from "node:os";
import type { CaseResult, Target } from "./result.ts";

export interface BenchReport {
  readonly date: string;
  readonly quick: boolean;
  readonly machine: { readonly cores: number; readonly cpu: string; readonly node: string; readonly platform: string; readonly loadAverage: readonly number[] };
  /** dist/ is never timed (see bench/README.md); recorded so a stale build is visible. */
  readonly distFresh: boolean;
  readonly ratios: Record<string, number>;
  readonly medians: Record<string, number>;
  readonly checks: Record<string, boolean>;
  readonly targets: Record<string, Target>;
  readonly notes: Record<string, readonly string[]>;
  /** Cases that failed to run, by name, with the error message. */
  readonly errors: Record<string, string>;
}

export function emptyReport(quick: boolean, distFresh: boolean): BenchReport {
  return {
    date: new Date().toISOString(),
    quick,
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version, platform: platform(), loadAverage: loadavg().map((n) => Math.round(n * 100) / 100) },
    distFresh,
    ratios: {},
    medians: {},
    checks: {},
    targets: {},
    notes: {},
    errors: {},
  };
}

export function addCase(report: BenchReport, name: string, result: CaseResult): void {
  Object.assign(report.ratios, result.ratios);
  Object.assign(report.medians, result.medians);
  Object.assign(report.checks, result.checks ?? {});
  Object.assign(report.targets, result.targets ?? {});
  if (result.notes?.length) report.notes[name] = result.notes;
}

/** One row per ratio and check, with the target and whether this run met it. */
export function markdownTable(report: BenchReport): string {
  const rows = [
    "| metric | value | target | met |",
    "|---|---:|---|---|",
    ...Object.entries(report.ratios).map(([name, value]) => {
      const target = report.targets[name];
      const unit = name.includes("MiB") ? " MiB" : "×";
      return `| ${name} | ${value}${unit} | ${target?.label ?? ""} | ${target ? (value <= target.max ? "yes" : "**no**") : ""} |`;
    }),
    ...Object.entries(report.checks).map(([name, ok]) => `| ${name} | ${ok} | true | ${ok ? "yes" : "**no**"} |`),
    ...Object.entries(report.errors).map(([name, message]) => `| ${name} | failed: ${message.split("\n")[0]} | | **no** |`),
  ];
  return rows.join("\n");
}
