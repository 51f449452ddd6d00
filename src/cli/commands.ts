/**
 * The CLI's commands by name, each imported only when run (so `run` never loads ts-morph).
 * Adding a command: one file in src/cli/commands/ exporting `summary`, `usage` and `run`, one line
 * here, and `npm run docs:cli` to copy its help into docs/cli.md.
 */
export interface Command {
  /** One line for `secrets-gen --help`. */
  readonly summary: string;
  /** Its `--help` text: usage, options, exit codes. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves with the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

export const commands: Readonly<Record<string, () => Promise<Command>>> = {
  generate: () => import("./commands/generate.ts"),
  doctor: () => import("./commands/doctor.ts"),
  run: () => import("./commands/run.ts"),
  init: () => import("./commands/init.ts"),
  scan: () => import("./commands/scan.ts"),
  push: () => import("./commands/push.ts"),
  rotate: () => import("./commands/rotate.ts"),
  pull: () => import("./commands/pull.ts"),
  migrate: () => import("./commands/migrate.ts"),
  import: () => import("./commands/import.ts"),
};

/** Other names for a command. */
export const ALIASES: Readonly<Record<string, string>> = { explain: "doctor" };

export const DEFAULT_COMMAND = "generate";

/** `secrets-gen --help`: every command's summary. */
export async function overview(): Promise<string> {
  const lines = await Promise.all(
    Object.entries(commands).map(async ([name, load]) => `  ${name.padEnd(10)} ${(await load()).summary}`),
  );
  const aliases = Object.entries(ALIASES).map(([alias, name]) => `  ${alias.padEnd(10)} same as ${name}`);
  return [
    "Usage: secrets-gen [command] [options]",
    "",
    "Commands (default: generate):",
    ...lines,
    ...aliases,
    "",
    "Run `secrets-gen <command> --help` for a command's options. `secrets-gen --version` prints the version.",
  ].join("\n");
}
