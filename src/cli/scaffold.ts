/** The edits `secrets-gen init` makes to a project, each one additive: nothing a user wrote is overwritten. */
import { readFile, writeFile } from "node:fs/promises";

export const SCHEMA_TEMPLATE = `// Every secret and config value of this app, declared once.
// After editing, run \`npx secrets-gen\` to regenerate generated/ (the typed accessor) and .env.example.
import { z } from "zod";
import { defineSecrets, secret } from "secrets-gen";

export default defineSecrets({
  // A secret: taken from a manager (add from: "vault://app/session#key"), a Kubernetes or Docker
  // secret file, the file named by SESSION_SECRET_FILE, or the SESSION_SECRET env var.
  // The devDefault keeps development working and is never used in production.
  SESSION_SECRET: secret(z.string().min(32), {
    devDefault: "dev-only-session-secret-0123456789abcdef",
    description: "Signs session cookies",
  }),
  // Plain config: not secret, read from the PORT env var, with a default.
  PORT: z.coerce.number().int().default(3000),
});
`;

export const GITIGNORE_ENTRIES = [".env", ".env.local"] as const;

/** What an edit did, for the command's summary. */
export interface EditReport {
  readonly added: readonly string[];
  readonly skipped: readonly string[];
}

/** Add each script that is not there yet; a script the user already has is kept and reported as skipped. */
export async function addMissingScripts(jsonPath: string, section: "scripts" | "tasks", wanted: Readonly<Record<string, string>>): Promise<EditReport> {
  const text = await readFile(jsonPath, "utf8");
  const manifest = JSON.parse(text) as Record<string, unknown>;
  const scripts = { ...(manifest[section] as Record<string, string> | undefined) };
  const added: string[] = [];
  const skipped: string[] = [];
  for (const [name, command] of Object.entries(wanted)) {
    if (name in scripts) skipped.push(name);
    else {
      scripts[name] = command;
      added.push(name);
    }
  }
  if (added.length > 0) await writeFile(jsonPath, formatLike(text, { ...manifest, [section]: scripts }));
  return { added, skipped };
}

/** Append the missing ignore lines; creates the file when there is none. */
export async function addGitignoreEntries(path: string): Promise<EditReport> {
  const text = await readFile(path, "utf8").catch(() => "");
  const present = new Set(text.split(/\r?\n/).map((line) => line.trim()));
  const added = GITIGNORE_ENTRIES.filter((entry) => !present.has(entry));
  const skipped = GITIGNORE_ENTRIES.filter((entry) => present.has(entry));
  if (added.length > 0) {
    const separator = text === "" || text.endsWith("\n") ? "" : "\n";
    await writeFile(path, `${text}${separator}${added.join("\n")}\n`);
  }
  return { added, skipped };
}

/** Keep the file's indentation and final newline, so the diff shows only the added lines. */
function formatLike(original: string, value: unknown): string {
  const indent = /^([ \t]+)"/m.exec(original)?.[1] ?? "  ";
  return JSON.stringify(value, null, indent) + (original.endsWith("\n") ? "\n" : "");
}
