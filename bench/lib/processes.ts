/**
 * Process-level timing: each variant is a `node` command; rounds run every variant once, in an
 * order that rotates each round, so drift on a shared machine hits all variants alike. Wall time
 * is measured from spawn to exit in the parent (it includes Node's own start-up, as a user sees it).
 * Asynchronous, so test servers running in the bench process keep answering the child.
 */
import { spawn } from "node:child_process";
import { median } from "./stats.ts";

export interface NodeCommand {
  /** Arguments after `node`. */
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface ProcessSample {
  readonly wallMs: number;
  readonly stdout: string;
}

/** Run once; a non-zero exit is an error (a broken app must not be timed as a fast one). */
export async function runNode(name: string, command: NodeCommand): Promise<ProcessSample> {
  const started = performance.now();
  const child = spawn(process.execPath, [...command.args], {
    cwd: command.cwd,
    env: { PATH: process.env.PATH ?? "", ...command.env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`bench variant ${name} exited with ${code ?? signal}: ${(stderr || stdout).slice(0, 2000)}`);
  return { wallMs, stdout };
}

/**
 * Median wall time per variant over `rounds` alternating rounds, after one untimed warm-up each
 * (disk cache) unless the caller has already run them.
 */
export async function timeAlternating(
  variants: Readonly<Record<string, NodeCommand>>,
  rounds: number,
  { warmUp = true } = {},
): Promise<Record<string, number>> {
  const names = Object.keys(variants);
  if (warmUp) for (const name of names) await runNode(name, variants[name]!);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      samples.get(name)!.push((await runNode(name, variants[name]!)).wallMs);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples.get(name)!)]));
}

/**
 * Prints the process's peak RSS (KiB) as the last stdout line at exit; loaded with --import.
 * VmHWM, not resourceUsage().maxRSS: on Linux ru_maxrss survives fork+exec, so every child would
 * report at least the (large) bench process's RSS.
 */
const REPORT_PEAK_RSS = `data:text/javascript,import{readFileSync}from"node:fs";process.on("exit",()=>{let k;try{k=/VmHWM:\\s+(\\d+)/.exec(readFileSync("/proc/self/status","utf8"))[1]}catch{k=process.resourceUsage().maxRSS}process.stdout.write("\\nmaxRSS="+k)})`;

/** Median peak RSS in MiB per variant, over `rounds` alternating runs. */
export async function peakRssMiB(variants: Readonly<Record<string, NodeCommand>>, rounds: number): Promise<Record<string, number>> {
  const names = Object.keys(variants);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      const command = variants[name]!;
      const { stdout } = await runNode(name, { ...command, args: ["--import", REPORT_PEAK_RSS, ...command.args] });
      const kib = Number(/maxRSS=(\d+)$/.exec(stdout)?.[1]);
      if (!Number.isFinite(kib)) throw new Error(`bench variant ${name} did not report its peak RSS`);
      samples.get(name)!.push(kib / 1024);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples.get(name)!)]));
}
