/**
 * The secrets-gen CLI under Deno (`deno run -A src/cli/main.ts …`): real process, exit code and
 * output, as `deno run -A npm:@secrets-gen/cli` runs it for users.
 */
import assert from "node:assert/strict";
import { parseEnv } from "node:util";
import { startVaultServer } from "../servers/vault/server.ts";

const SENTINEL = "s3cr3t-sentinel";
const REPO = new URL("../../", import.meta.url).pathname;
const FIXTURES = `${REPO}test/fixtures/cli/`;
const API_TOKEN = `${SENTINEL}-api-token-0123456789`;

async function secretsGen(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${REPO}deno.json`, `${REPO}src/cli/main.ts`, ...args],
    cwd: FIXTURES,
    env: { NO_COLOR: "1", API_TOKEN, ...env },
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(!stdout.includes(SENTINEL) && !stderr.includes(SENTINEL), "a secret value reached the CLI's output");
  return { code: output.code, stdout, stderr };
}

Deno.test("--help lists every command", async () => {
  const { code, stdout } = await secretsGen(["--help"]);
  assert.equal(code, 0);
  for (const command of ["generate", "doctor", "run", "init", "push", "rotate", "pull", "migrate", "explain"]) assert.match(stdout, new RegExp(`^  ${command} `, "m"));
});

Deno.test("generate --check agrees that the repository's generated files are current", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO}src/cli/main.ts`, "--check"],
    cwd: REPO,
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.match(new TextDecoder().decode(output.stdout), /generated files are up to date/);
});

Deno.test("doctor shows sources without values, and exits 1 with the report when production would not start", async () => {
  // In development API_TOKEN may come from env; production accepts it only from a Docker secret file.
  const ok = await secretsGen(["doctor", "--schema", "app.schema.ts"], { SECRETS_DOCKER_DIR: "/nonexistent" });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^API_TOKEN\s+secret\s+env\s+env API_TOKEN\s+-\s+ok/m);
  assert.match(ok.stdout, /^DB_PASSWORD\s+secret\s+dev-default/m);
  const production = await secretsGen(["doctor", "--production", "--schema", "app.schema.ts"], { SECRETS_DOCKER_DIR: "/nonexistent" });
  assert.equal(production.code, 1);
  assert.match(production.stderr, /could not be loaded \(production mode\)/);
});

Deno.test("run --mask passes values to the child and redacts them from its output", async () => {
  const child = `console.log("token is " + Deno.env.get("API_TOKEN"))`;
  const { code, stdout } = await secretsGen(["run", "--mask", "--schema", "app.schema.ts", "--", Deno.execPath(), "eval", child], {
    SECRETS_DOCKER_DIR: "/nonexistent",
  });
  assert.equal(code, 0);
  assert.equal(stdout.trim(), "token is [redacted]");
});

Deno.test("push, rotate and pull write through the Vault test server, never printing a value", async () => {
  // The test server is plain node:http, which Deno serves too, so it runs in this process.
  const vault = await startVaultServer({ rootToken: `hvs.${SENTINEL}-root` });
  const dir = await Deno.makeTempDir({ prefix: "secrets-gen-deno-pull-" });
  try {
    vault.putSecret("secret", "app/db", { user: `${SENTINEL}-user` });
    const password = `${SENTINEL}-db-password\nsecond line # with 'quotes' = "and more"`;
    const env = { VAULT_ADDR: vault.url, VAULT_TOKEN: `hvs.${SENTINEL}-root`, DB_PASSWORD: password, SIGNING_KEY: `${SENTINEL}-signing` };
    const only = ["--only", "DB_PASSWORD,SIGNING_KEY", "--schema", "writes.schema.ts"];

    const push = await secretsGen(["push", "--from-env", "--apply", ...only], env);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^DB_PASSWORD\s+vault:\/\/app\/db#password\s+create\s+2$/m);
    assert.match(push.stdout, /^SIGNING_KEY\s+vault:\/\/app\/signing#key\s+create\s+1$/m);

    const rotate = await secretsGen(["rotate", "SIGNING_KEY", "--apply", "--json", "--schema", "writes.schema.ts"], env);
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.deepEqual(JSON.parse(rotate.stdout).rows, [{ field: "SIGNING_KEY", ref: "vault://app/signing#key", action: "rotate", version: "2" }]);

    const file = `${dir}/.env.local`;
    const pull = await secretsGen(["pull", "--to", file, "--apply", ...only], env);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /^DB_PASSWORD\s+vault:\/\/app\/db#password\s+add\s+2$/m);
    const pulled = parseEnv(await Deno.readTextFile(file));
    assert.equal(pulled.DB_PASSWORD, password);
    assert.match(pulled.SIGNING_KEY ?? "", /^[A-Za-z0-9]{32}$/);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
  } finally {
    await vault.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("migrate copies to the new prefix through the Vault test server, verified, and prints the schema edit", async () => {
  const vault = await startVaultServer({ rootToken: `hvs.${SENTINEL}-root` });
  try {
    vault.putSecret("secret", "app/db", { password: `${SENTINEL}-db-password-0123456789` });
    const env = { VAULT_ADDR: vault.url, VAULT_TOKEN: `hvs.${SENTINEL}-root` };
    const migrate = await secretsGen(["migrate", "--from", "vault://app/db", "--to", "vault://app-v2/db", "--only", "DB_PASSWORD", "--apply", "--schema", "writes.schema.ts"], env);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.match(migrate.stdout, /^DB_PASSWORD\s+vault:\/\/app\/db#password\s+vault:\/\/app-v2\/db#password\s+copied\s+1$/m);
    assert.match(migrate.stdout, /DB_PASSWORD: vault:\/\/app\/db#password → vault:\/\/app-v2\/db#password/);
  } finally {
    await vault.close();
  }
});

Deno.test("scan reports a tracked line holding a loaded secret value, naming the field, never the value", async () => {
  const repo = await Deno.makeTempDir({ prefix: "secrets-gen-deno-scan-" });
  try {
    await Deno.writeTextFile(`${repo}/config.ts`, `export const token = "${API_TOKEN}";\n`);
    for (const args of [["init", "-q"], ["add", "-A"], ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "fixture"]]) {
      assert.equal((await new Deno.Command("git", { args, cwd: repo }).output()).code, 0);
    }
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${REPO}deno.json`, `${REPO}src/cli/main.ts`, "scan", "--schema", `${FIXTURES}app.schema.ts`],
      cwd: repo,
      env: { NO_COLOR: "1", API_TOKEN, SECRETS_DOCKER_DIR: "/nonexistent" },
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 1, new TextDecoder().decode(output.stderr));
    assert.equal(stdout, "config.ts:1: contains the loaded value of API_TOKEN\n");
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("generate --target writes deployment config that parses", async () => {
  const out = await Deno.makeTempDir({ prefix: "secrets-gen-deno-targets-" });
  try {
    const result = await secretsGen(["generate", "--schema", "writes.schema.ts", "--out", `${out}/generated`, "--env-example", `${out}/.env.example`, "--target", "vault-policy", "--target", "aws-iam", "--target-out", out, "--region", "eu-west-1", "--account", "123456789012"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(await Deno.readTextFile(`${out}/vault-policy.hcl`), /path "secret\/data\/app\/db" \{\n  capabilities = \["read"\]\n\}/);
    const iam = JSON.parse(await Deno.readTextFile(`${out}/aws-iam-policy.json`));
    assert.match(JSON.stringify(iam), /arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod\/app-\?\?\?\?\?\?/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("init scaffolds a Deno project: schema, a deno.json task, and a first generate", async () => {
  // Inside the repository, so the scaffolded schema's zod resolves from its node_modules.
  const dir = await Deno.makeTempDir({ dir: FIXTURES, prefix: "tmp-deno-init-" });
  try {
    await Deno.mkdir(`${dir}/node_modules`);
    await Deno.symlink(REPO, `${dir}/node_modules/secrets-gen`);
    await Deno.writeTextFile(`${dir}/deno.json`, `{\n  "tasks": {}\n}\n`);
    const result = await secretsGen(["init", "--dir", dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/deno.json`)).tasks["secrets:generate"], "deno run -A npm:@secrets-gen/cli");
    assert.match(await Deno.readTextFile(`${dir}/generated/secrets.ts`), /export const plans: Plans = \{/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
