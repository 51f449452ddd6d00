import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = "secrets-gen-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Write files (names may have sub-directories) under `dir`, creating what is missing. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Lay out files as kubelet does for a mounted Secret: KEY -> ..data/KEY, ..data -> ..<timestamp>/. */
export function kubeletMount(dir: string, files: Record<string, string>, timestamp = "..2026_11_23_10_00_00.000000001"): string {
  writeFiles(join(dir, timestamp), files);
  symlinkSync(timestamp, join(dir, "..data"));
  for (const name of Object.keys(files)) symlinkSync(join("..data", name), join(dir, name));
  return dir;
}
