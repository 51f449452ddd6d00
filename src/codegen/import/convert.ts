/** Which library a file uses (t3-env or envalid), found by its imports, and its conversion. */
import type { ImportedSchema } from "./model.ts";
import { convertEnvalid, isEnvalidModule } from "./envalid.ts";
import { findCalls, moduleBindings, parseSource } from "./syntax.ts";
import { convertT3Env, isT3EnvModule } from "./t3-env.ts";
import { CliError } from "../../cli/errors.ts";

/** Convert the one createEnv() or cleanEnv() call of a file; `displayPath` names the file in messages. */
export function convertEnvFile(displayPath: string, text: string): ImportedSchema {
  const file = parseSource(displayPath, text);
  const t3 = moduleBindings(file, isT3EnvModule);
  const envalid = moduleBindings(file, isEnvalidModule);
  const t3Calls = findCalls(file, t3, ["createEnv"]);
  const envalidCalls = findCalls(file, envalid, ["cleanEnv", "customCleanEnv"]);
  const calls = [...t3Calls, ...envalidCalls];
  if (calls.length === 0) {
    throw new CliError(`${displayPath} has no createEnv(...) imported from @t3-oss/env-* and no cleanEnv(...) imported from envalid: pass the file that declares your environment variables`);
  }
  if (calls.length > 1) {
    const lines = calls.map((call) => call.getStartLineNumber()).join(", ");
    throw new CliError(`${displayPath} declares its environment ${calls.length} times (lines ${lines}), so import cannot tell which one to convert: put the one to convert in a file of its own and pass that`);
  }
  return t3Calls.length > 0 ? convertT3Env(t3Calls[0]!) : convertEnvalid(envalidCalls[0]!, envalid);
}
