/** Chain steps 2–5 for one field: Kubernetes mount → Docker secret / <NAME>_FILE → env → .env files → dev default. */
import { join, resolve } from "node:path";
import type { SourceKind } from "../schema/define.ts";
import type { Dotenv } from "./dotenv.ts";
import type { FieldState } from "./field-state.ts";
import { readSecretFile, type FileRead } from "./files.ts";
import { printable } from "./printable.ts";
import type { Settings } from "./settings.ts";

interface Lookup {
  readonly source: SourceKind;
  readonly where: string;
  readonly read: () => Promise<FileRead> | FileRead;
}

/** Every `where` and file message is escaped here, where paths from env and the file system enter reports. */
export async function resolveLocally(state: FieldState, settings: Settings, dotenv: Dotenv): Promise<void> {
  for (const lookup of lookupsFor(state, settings, dotenv)) {
    if (state.settled) return;
    const result = await lookup.read();
    const { source, where } = lookup;
    if (result.status === "missing") {
      state.record({ source, where, outcome: "missing", detail: missingDetail(source) });
    } else if (result.status === "error") {
      // A bad file is the operator's mistake, not an outage: refuse in every mode.
      const message = printable(result.message);
      state.record({ source, where, outcome: "error", detail: message });
      state.failure = `${state.spec.name}: ${message}.`;
    } else if (!state.accepts(source, settings.production)) {
      state.record({
        source, where, outcome: "not-allowed",
        detail: `has a value, but production accepts this field only from ${state.spec.productionSources.join(" or ")}`,
      });
    } else {
      state.record({ source, where, outcome: "found" });
      state.found = { value: result.value, source, where };
    }
  }
}

function lookupsFor(state: FieldState, settings: Settings, dotenv: Dotenv): Lookup[] {
  const { spec } = state;
  const fromDotenv = dotenv.get(spec.env);
  const envLookups: Lookup[] = [
    { source: "env", where: `env ${spec.env}`, read: () => fromEnv(settings.env[spec.env]) },
    ...(fromDotenv ? [{ source: "dotenv" as const, where: `${printable(fromDotenv.file)} ${spec.env}`, read: () => fromEnv(fromDotenv.value) }] : []),
  ];
  if (!spec.sensitive) return envLookups;

  const inDir = (source: SourceKind, dir: string): Lookup[] =>
    spec.files.map((name) => {
      const path = join(dir, name);
      return { source, where: printable(path), read: () => readSecretFile(path, { roots: [dir], maxBytes: settings.maxFileBytes, deadlineMs: settings.timeoutMs }) };
    });
  const fileEnvPath = settings.env[spec.fileEnv];
  return [
    ...(settings.k8sDir ? inDir("kubernetes", settings.k8sDir) : []),
    ...(fileEnvPath ? [fileEnvLookup(spec.fileEnv, fileEnvPath, settings)] : []),
    ...inDir("docker", settings.dockerDir),
    ...envLookups,
    ...(spec.devDefault !== undefined && !settings.production
      ? [{ source: "dev-default" as const, where: "devDefault in the schema", read: () => found(spec.devDefault!) }]
      : []),
  ];
}

/** `<NAME>_FILE` is an explicit instruction: a file that is not there is an error, not "missing". */
function fileEnvLookup(variable: string, path: string, settings: Settings): Lookup {
  const absolute = resolve(settings.cwd, path);
  return {
    source: "docker",
    where: `${variable}=${printable(path)}`,
    read: async () => {
      const result = await readSecretFile(absolute, { roots: settings.fileRoots, maxBytes: settings.maxFileBytes, deadlineMs: settings.timeoutMs });
      if (result.status !== "missing") return result;
      return { status: "error", message: `${variable} names ${absolute}, which does not exist: fix the path or unset ${variable}` };
    },
  };
}

function fromEnv(value: string | undefined): FileRead {
  // Compose and CI often set VAR= for "unset"; an empty secret is never what anyone means.
  return value ? found(value) : { status: "missing" };
}

function found(value: string): FileRead {
  return { status: "found", value, path: "" };
}

function missingDetail(source: SourceKind): string {
  return source === "env" ? "not set or empty" : "no such file";
}
