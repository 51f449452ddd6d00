/** Shared by the example launchers: run an example's main.ts under tsx with extra env, and wait. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import process from "node:process";

export async function runApp(mainFile: string, env: Readonly<Record<string, string>>): Promise<number> {
  // Async spawn: a local test server in this process must keep answering while the app loads.
  const child = spawn(process.execPath, ["--import", "tsx", mainFile], { stdio: "inherit", env: { ...process.env, ...env } });
  const [code] = (await once(child, "exit")) as [number | null];
  return code ?? 1;
}
