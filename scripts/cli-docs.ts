/**
 * Copies the commands' own `--help` texts into docs/cli.md, so the CLI reference has one source:
 * the `usage` string beside each command's code. docs/cli.md marks each copy with
 * `<!-- help:NAME -->` … `<!-- /help:NAME -->` (`help:` alone for `secrets-gen --help`); prose
 * around the markers is hand-written.
 *
 *   node --import tsx scripts/cli-docs.ts           rewrite docs/cli.md (npm run docs:cli)
 *   node --import tsx scripts/cli-docs.ts --check   exit 1 when docs/cli.md is stale
 */
import { readFile, writeFile } from "node:fs/promises";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { commands, overview } from "../src/cli/commands.ts";

export const CLI_DOCS = fileURLToPath(new URL("../docs/cli.md", import.meta.url));

const SECTION = /(<!-- help:([a-z-]*) -->\n)[\s\S]*?(<!-- \/help:\2 -->)/g;

/** docs/cli.md with every help section replaced by the current help text. */
export async function renderCliDocs(text: string): Promise<string> {
  const helps = new Map<string, string>([["", await overview()]]);
  for (const [name, load] of Object.entries(commands)) helps.set(name, (await load()).usage);

  const seen = new Set<string>();
  const rendered = text.replace(SECTION, (_section, open: string, name: string, close: string) => {
    const help = helps.get(name);
    if (help === undefined) throw new Error(`docs/cli.md has a help section for "${name}", which is not a command: remove the section or fix its name`);
    seen.add(name);
    return `${open}\`\`\`text\n${help}\n\`\`\`\n${close}`;
  });
  const missing = [...helps.keys()].filter((name) => !seen.has(name));
  if (missing.length > 0) {
    throw new Error(`docs/cli.md has no help section for ${missing.map((name) => `"${name || "--help"}"`).join(", ")}: add <!-- help:NAME --> and <!-- /help:NAME --> lines where its reference belongs`);
  }
  return rendered;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = await readFile(CLI_DOCS, "utf8");
  const rendered = await renderCliDocs(current);
  if (process.argv.includes("--check")) {
    if (rendered !== current) {
      process.stderr.write("docs/cli.md is out of date with the commands' help texts: run `npm run docs:cli`\n");
      process.exit(1);
    }
  } else if (rendered !== current) {
    await writeFile(CLI_DOCS, rendered);
    process.stdout.write("docs/cli.md updated from the commands' help texts\n");
  }
}
