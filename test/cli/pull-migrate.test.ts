/** `secrets-gen pull` and `migrate`, through the real CLI, against the Vault and AWS test servers in this process. */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import { quoteEnvValue, updateEnvText } from "../../src/cli/env-file.ts";
import { useManagerServers, WRITES_SCHEMA as SCHEMA, writesCli } from "../helpers/managers-env.ts";
import { SENTINEL, secretValue } from "../helpers/sentinels.ts";
import { tempDir, writeFiles } from "../helpers/tmp.ts";

const NO_SIGNING_TOKEN = "hvs.s3cr3t-sentinel-no-signing";
const DB_PASSWORD = secretValue("db-password");
const DB_USER = secretValue("db-user");
const API_KEY = `sk_${secretValue("api-key")}`;
const ACCOUNT = secretValue("account");
const SIGNING_KEY = secretValue("signing-key");
const dir = tempDir("secrets-gen-pull-");

const managers = useManagerServers();
const { env: managerEnv, cli } = writesCli(managers);
const { vaultLatest } = managers;

beforeEach(() => {
  managers.vault.setPolicy("no-signing", { "secret/data/app/db": ["read"] });
  managers.vault.createToken({ policies: ["no-signing"], id: NO_SIGNING_TOKEN });
  managers.vault.putSecret("secret", "app/db", { password: DB_PASSWORD, user: DB_USER });
  managers.vault.putSecret("secret", "app/signing", { key: SIGNING_KEY });
  managers.aws.seed("prod/app", { api_key: API_KEY, account: ACCOUNT });
});

const awsValue = (name: string) => JSON.parse(managers.aws.store.getValue({ SecretId: name }).SecretString as string) as Record<string, string>;
const vaultWrites = () => managers.vault.requests.filter((r) => r.method === "POST" || r.method === "PUT");
const awsWrites = () => managers.aws.requests.filter((r) => ["PutSecretValue", "CreateSecret", "DeleteSecret"].includes(r.op));
const rowOf = (stdout: string, field: string) => stdout.split("\n").find((line) => line.startsWith(`${field} `))?.trim().split(/\s{2,}/);

describe("secrets-gen pull", () => {
  it("dry run: add / update / unchanged / skipped per field, names only, and writes nothing", async () => {
    managers.vault.deleteVersion("secret", "app/signing", 1);
    const file = join(writeFiles(join(dir, "dry"), { ".env.local": `API_KEY=${API_KEY}\nDB_PASSWORD=${secretValue("old")}\n` }), ".env.local");
    const before = readFileSync(file, "utf8");
    const result = await cli(["pull", "--to", file]);
    expect(result.code).toBe(0);
    expect(rowOf(result.stdout, "DB_PASSWORD")).toEqual(["DB_PASSWORD", "vault://app/db#password", "update", "1"]);
    expect(rowOf(result.stdout, "API_KEY")?.slice(0, 3)).toEqual(["API_KEY", "aws-sm://prod/app#api_key", "unchanged"]);
    expect(rowOf(result.stdout, "SIGNING_KEY")).toEqual(["SIGNING_KEY", "vault://app/signing#key", "skipped: not in any manager", "-"]);
    expect(result.stdout).toContain(`dry run: nothing was written; run with --apply to write ${file}`);
    expect(readFileSync(file, "utf8")).toBe(before);
    const fresh = join(dir, "dry", "new.env");
    expect((await cli(["pull", "--to", fresh])).stdout).toMatch(/^DB_PASSWORD\s+\S+\s+add\s+1$/m);
    expect(existsSync(fresh)).toBe(false);
  });

  it("--apply writes the file atomically (0600), keeps other lines, and parseEnv reads back exactly the managers' values", async () => {
    const tricky = {
      DB_PASSWORD: `${SENTINEL} two\nlines # not a comment = still the value "double" \`tick\``,
      API_KEY: `sk_${SENTINEL} it's "quoted" #hash=x\n  indented  `,
      SIGNING_KEY: `  ${SENTINEL} it's \`ticked\` # = \\ backslash\nend `,
    };
    managers.vault.putSecret("secret", "app/db", { password: tricky.DB_PASSWORD, user: DB_USER });
    managers.vault.putSecret("secret", "app/signing", { key: tricky.SIGNING_KEY });
    managers.aws.seed("prod/app", { api_key: tricky.API_KEY, account: ACCOUNT });
    const existing = `# local settings\nexport LOG_LEVEL=debug\nDB_PASSWORD="old\nmulti-line"\nNOTE='keep # me'\nDB_PASSWORD=older\n`;
    const file = join(writeFiles(join(dir, "apply"), { ".env.local": existing }), ".env.local");
    const result = await cli(["pull", "--to", file, "--apply"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote 3 variables to ${file} (mode 0600)`);
    const written = readFileSync(file, "utf8");
    expect(parseEnv(written)).toEqual({ LOG_LEVEL: "debug", NOTE: "keep # me", ...tricky });
    expect(written.startsWith("# local settings\nexport LOG_LEVEL=debug\nDB_PASSWORD=")).toBe(true);
    expect(written).toContain("\nNOTE='keep # me'\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const line of written.split("\n")) if (line.length > 8) expect(result.stdout + result.stderr).not.toContain(line);

    const again = await cli(["pull", "--to", file, "--apply"]);
    expect(again.stdout).toMatch(/^DB_PASSWORD\s+\S+\s+unchanged/m);
    expect(readFileSync(file, "utf8")).toBe(written);
  });

  it("refuses a file that git tracks, saying why and what to do", async () => {
    const repo = writeFiles(join(dir, "repo"), { ".env": "LOG_LEVEL=debug\n" });
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo, stdio: "ignore" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "fixture");
    const file = join(repo, ".env");
    const result = await cli(["pull", "--to", file, "--apply"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file} is tracked by git, so secrets written there would be committed`);
    expect(result.stderr).toContain("git rm --cached");
    expect(readFileSync(file, "utf8")).toBe("LOG_LEVEL=debug\n");
  });

  it("a manager error is an error row (exit 1) and the other fields are still written; --json has the rows", async () => {
    const file = join(dir, "denied.env");
    const result = await cli(["pull", "--to", file, "--apply", "--json"], managerEnv({ VAULT_TOKEN: NO_SIGNING_TOKEN }));
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout) as { command: string; apply: boolean; rows: unknown[] };
    expect(document).toMatchObject({ command: "pull", apply: true });
    expect(document.rows).toEqual([
      { field: "DB_PASSWORD", ref: "vault://app/db#password", action: "add", version: "1" },
      { field: "API_KEY", ref: "aws-sm://prod/app#api_key", action: "add", version: expect.any(String) },
      { field: "SIGNING_KEY", ref: "vault://app/signing#key", action: "error: denied", version: null },
    ]);
    expect(result.stderr).toContain(`SIGNING_KEY: Vault denied reading "secret/data/app/signing"`);
    expect(parseEnv(readFileSync(file, "utf8"))).toEqual({ DB_PASSWORD, API_KEY });
  });

  it("skips a value no .env quoting can hold, and rejects wrong usage (exit 2)", async () => {
    managers.vault.putSecret("secret", "app/signing", { key: `${SENTINEL} ' " \` all three` });
    const result = await cli(["pull", "--to", join(dir, "skip.env"), "--only", "SIGNING_KEY"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^SIGNING_KEY\s+vault:\/\/app\/signing#key\s+skipped: no \.env quoting can hold the value/m);
    expect(result.stderr).toContain("a .env file cannot hold it exactly; set SIGNING_KEY another way");
    expect((await cli(["pull", "extra"])).code).toBe(2);
    expect((await cli(["pull", "--only", "LOG_LEVEL"])).code).toBe(2);
  });
});

describe("the .env writer", () => {
  const values = [
    "plain", "", " leading and trailing ", "a # hash", "a=b=c", "line one\nline two\n", "it's", 'say "hi"', "back`tick",
    "it's \"both\"", "'all' \"three\" `kinds`\nbut no escape", "all 3 ' \" ` and a literal \\n", "a\r\nb", "literal \\n stays", "\\n with 'single' quote", "ünïcödé ✓", "#start", "=start",
  ];
  /** What parseEnv cannot read back whatever the quoting: carriage returns, and all three quotes (double quotes turn `\n` into a newline). */
  const unquotable = (value: string) => value.includes("\r") || (["'", "`"].every((q) => value.includes(q)) && (value.includes('"') || value.includes("\\n")));

  it.each(values)("round-trips %j through parseEnv, or refuses it when no quoting can", (value) => {
    if (unquotable(value)) return expect(quoteEnvValue(value)).toBeUndefined();
    const text = updateEnvText("KEEP=1\n# comment\n", new Map([["VALUE", value]]), ".env.test");
    expect(parseEnv(text)).toEqual({ KEEP: "1", VALUE: value });
  });

  it("replaces a key's first assignment (multi-line ones too), drops its repeats and keeps every other line", () => {
    const before = "A=1\nexport KEY='old\nvalue'\n# KEY=commented\nB=\"x\"\nKEY=again";
    expect(updateEnvText(before, new Map([["KEY", "new"], ["C", "c"]]), ".env.test")).toBe("A=1\nKEY='new'\n# KEY=commented\nB=\"x\"\nC='c'\n");
  });

  // Parsers (Node 20's regex, Node 22+'s scanner) disagree on odd lines, so every rewrite is parsed back:
  // the result either reads back exactly, or the edit is refused naming the keys, never the values.
  it.each(["KEY='unclosed\nOTHER=1\n", "garbage line KEY\nOTHER=1\n", "OTHER=\"a\nb\" KEY='c\n'\n", "OTHER=`x\n"])(
    "never returns an edit that reads back wrong: %j",
    (before) => {
      const updates = new Map([["OTHER", "new-value"]]);
      let after: string;
      try {
        after = updateEnvText(before, updates, ".env.odd");
      } catch (error) {
        expect((error as Error).message).toMatch(/^cannot update \.env\.odd safely: after the edit, [\w, ]+ would not read back as intended/);
        expect((error as Error).message).not.toContain("new-value");
        return;
      }
      expect(parseEnv(after)).toEqual({ ...parseEnv(before), OTHER: "new-value" });
    },
  );
});

describe("secrets-gen migrate", () => {
  it("dry run: plans copies to the new prefix and writes nothing", async () => {
    const result = await cli(["migrate", "--from", "vault://app/", "--to", "vault://app-v2/"]);
    expect(result.code).toBe(0);
    expect(rowOf(result.stdout, "DB_PASSWORD")).toEqual(["DB_PASSWORD", "vault://app/db#password", "vault://app-v2/db#password", "copy"]);
    expect(rowOf(result.stdout, "SIGNING_KEY")).toEqual(["SIGNING_KEY", "vault://app/signing#key", "vault://app-v2/signing#key", "copy"]);
    expect(result.stdout).not.toContain("API_KEY");
    expect(result.stdout).toContain("dry run: nothing was written");
    expect(vaultWrites()).toEqual([]);
  });

  it("--apply copies, verifies and prints the schema edit; a second run finds them already copied", async () => {
    const result = await cli(["migrate", "--from", "vault://app/", "--to", "vault://app-v2/", "--apply"]);
    expect(result.code).toBe(0);
    expect(rowOf(result.stdout, "DB_PASSWORD")).toEqual(["DB_PASSWORD", "vault://app/db#password", "vault://app-v2/db#password", "copied", "1"]);
    expect(result.stdout).toContain(`now edit ${SCHEMA} so these fields read their new refs, then run \`npx secrets-gen\`:\n  DB_PASSWORD: vault://app/db#password → vault://app-v2/db#password\n  SIGNING_KEY: vault://app/signing#key → vault://app-v2/signing#key\n`);
    expect(await vaultLatest("app-v2/db")).toEqual({ version: 1, data: { password: DB_PASSWORD } });
    expect(await vaultLatest("app-v2/signing")).toEqual({ version: 1, data: { key: SIGNING_KEY } });
    expect(await vaultLatest("app/db")).toEqual({ version: 1, data: { password: DB_PASSWORD, user: DB_USER } });
    const again = await cli(["migrate", "--from", "vault://app/", "--to", "vault://app-v2/", "--apply", "--json"]);
    expect(JSON.parse(again.stdout).rows).toEqual([
      { field: "DB_PASSWORD", from: "vault://app/db#password", ref: "vault://app-v2/db#password", action: "already copied", version: null },
      { field: "SIGNING_KEY", from: "vault://app/signing#key", ref: "vault://app-v2/signing#key", action: "already copied", version: null },
    ]);
  });

  it("vault → aws-sm with --delete-old: the copy is verified, then only the old key is removed", async () => {
    const result = await cli(["migrate", "--from", "vault://app/db", "--to", "aws-sm://prod/db", "--apply", "--delete-old"]);
    expect(result.code).toBe(0);
    expect(rowOf(result.stdout, "DB_PASSWORD")?.slice(0, 4)).toEqual(["DB_PASSWORD", "vault://app/db#password", "aws-sm://prod/db#password", "copied, old deleted"]);
    expect(awsValue("prod/db")).toEqual({ password: DB_PASSWORD });
    expect(await vaultLatest("app/db")).toEqual({ version: 2, data: { user: DB_USER } });
  });

  it("aws-sm → vault with --delete-old removes the key from the AWS JSON, keeping the others", async () => {
    const result = await cli(["migrate", "--from", "aws-sm://prod/app", "--to", "vault://app/aws", "--apply", "--delete-old"]);
    expect(result.code).toBe(0);
    expect(rowOf(result.stdout, "API_KEY")).toEqual(["API_KEY", "aws-sm://prod/app#api_key", "vault://app/aws#api_key", "copied, old deleted", "1"]);
    expect(await vaultLatest("app/aws")).toEqual({ version: 1, data: { api_key: API_KEY } });
    expect(awsValue("prod/app")).toEqual({ account: ACCOUNT });
    expect(managers.aws.count("DeleteSecret")).toBe(0);
  });

  it("never overwrites a different value at the new ref (error: conflict, exit 1, old kept)", async () => {
    managers.vault.putSecret("secret", "app-v2/db", { password: secretValue("other") });
    const result = await cli(["migrate", "--from", "vault://app/db", "--to", "vault://app-v2/db", "--apply", "--delete-old"]);
    expect(result.code).toBe(1);
    expect(rowOf(result.stdout, "DB_PASSWORD")).toEqual(["DB_PASSWORD", "vault://app/db#password", "vault://app-v2/db#password", "error: conflict", "-"]);
    expect(result.stderr).toContain("vault://app-v2/db#password already holds a different value, which migrate never overwrites");
    expect(result.stdout).not.toContain("now edit");
    expect(vaultWrites()).toEqual([]);
    expect(awsWrites()).toEqual([]);
  });

  it("two spellings of one secret: --delete-old notices it removed the copy and writes the value back", async () => {
    const result = await cli(["migrate", "--from", "vault://app/db", "--to", "vault://app/db?mount=secret", "--apply", "--delete-old"]);
    expect(result.code).toBe(1);
    expect(rowOf(result.stdout, "DB_PASSWORD")?.[3]).toBe("error: same secret");
    expect(result.stderr).toContain("name the same secret, so deleting the old ref removed the copy; the value was written back");
    expect((await vaultLatest("app/db"))?.data).toEqual({ password: DB_PASSWORD, user: DB_USER });
  });

  it("rejects wrong usage (exit 2) and a prefix no ref has (exit 1)", async () => {
    expect((await cli(["migrate", "--from", "vault://app/", "--to", "vault://x/", "--delete-old"])).code).toBe(2);
    expect((await cli(["migrate", "--from", "vault://app/"])).code).toBe(2);
    expect((await cli(["migrate", "--from", "vault://app/", "--to", "vault://app/"])).code).toBe(2);
    const none = await cli(["migrate", "--from", "gcp-sm://", "--to", "vault://"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no secret field's first "from" ref starts with gcp-sm://`);
  });
});
