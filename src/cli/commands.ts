/**
 * The CLI's commands by name, each imported only when run (so `run` never loads ts-morph).
 * Adding a command: one file in src/cli/commands/ exporting `summary` and `run`, and one line here.
 */
export interface Command {
  /** One line for `secrets-gen --help`. */
  readonly summary: string;
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
