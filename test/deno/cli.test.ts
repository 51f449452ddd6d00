/**
 * The secrets-gen CLI under Deno (`deno run -A src/cli/main.ts …`): real process, exit code and
 * output, as `deno run -A npm:secrets-gen` runs it for users.
 */
import assert from "node:assert/strict";

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
  for (const command of ["generate", "doctor", "run", "init", "explain"]) assert.match(stdout, new RegExp(`^  ${command} `, "m"));
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
