/**
 * The runtime under Deno's own test runner:
 *   npx deno test --allow-env --allow-read --allow-write --allow-run test/deno/
 * deno.json maps secrets-gen and secrets-gen/runtime to src/; zod comes from node_modules.
 * Every secret value contains SENTINEL, which must never show up in printed output or errors.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { defineSecrets, secret } from "../../src/index.ts";
import { loadSecrets, provenance, redact, SecretsLoadError, type LoadOptions } from "../../src/runtime/index.ts";

const SENTINEL = "s3cr3t-sentinel";
const REPO = new URL("../../", import.meta.url).pathname;

const schema = defineSecrets({
  K8S_TOKEN: secret(z.string().min(8), { description: "from the Kubernetes mount" }),
  DOCKER_PASSWORD: secret(z.string().min(8), { file: "docker_password" }),
  LOWER_KEY: secret(z.string().min(8)),
  FILE_KEY: secret(z.string().min(8)),
  ENV_KEY: secret(z.string().min(8)),
  DEV_ONLY: secret(z.string().min(8), { devDefault: `dev-${SENTINEL}-default` }),
  OPTIONAL_KEY: secret(z.string(), { optional: true }),
  PORT: z.coerce.number().int().default(3000),
});

interface Layout {
  readonly root: string;
  readonly k8sDir: string;
  readonly dockerDir: string;
  readonly filesDir: string;
}

/** A kubelet-style secret mount: ..<ts>/KEY files, ..data -> ..<ts>, KEY -> ..data/KEY. */
async function kubeletMount(dir: string, stamp: string, files: Record<string, string>): Promise<void> {
  await Deno.mkdir(`${dir}/${stamp}`, { recursive: true });
  for (const [name, value] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${stamp}/${name}`, `${value}\n`);
  await Deno.symlink(stamp, `${dir}/..data`);
  for (const name of Object.keys(files)) await Deno.symlink(`..data/${name}`, `${dir}/${name}`);
}

/** What kubelet does on update: write a new ..<ts> dir, then atomically rename a new ..data link over the old one. */
async function kubeletSwap(dir: string, stamp: string, files: Record<string, string>): Promise<void> {
  await Deno.mkdir(`${dir}/${stamp}`);
  for (const [name, value] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${stamp}/${name}`, `${value}\n`);
  await Deno.symlink(stamp, `${dir}/..data_tmp`);
  await Deno.rename(`${dir}/..data_tmp`, `${dir}/..data`);
}

async function layout(): Promise<Layout> {
  const root = await Deno.makeTempDir({ prefix: "secrets-gen-deno-" });
  const k8sDir = `${root}/k8s`;
  const dockerDir = `${root}/docker`;
  const filesDir = `${root}/files`;
  await Deno.mkdir(k8sDir);
  await Deno.mkdir(dockerDir);
  await Deno.mkdir(filesDir);
  await kubeletMount(k8sDir, "..2024_01_01_00_00_00.000000001", { K8S_TOKEN: `k8s-${SENTINEL}-v1` });
  await Deno.writeTextFile(`${dockerDir}/docker_password`, `docker-${SENTINEL}\n`);
  await Deno.writeTextFile(`${dockerDir}/lower_key`, `lower-${SENTINEL}\n`);
  await Deno.writeTextFile(`${filesDir}/file_key`, `file-${SENTINEL}\n`);
  return { root, k8sDir, dockerDir, filesDir };
}

function optionsFor(dirs: Layout, env: Record<string, string> = {}): LoadOptions {
  return {
    env: { FILE_KEY_FILE: `${dirs.filesDir}/file_key`, ENV_KEY: `env-${SENTINEL}`, ...env },
    dockerDir: dirs.dockerDir,
    k8sDir: dirs.k8sDir,
    fileRoots: [dirs.filesDir],
    cwd: dirs.root,
    onWarning: () => {},
  };
}

type Loaded = Record<string, unknown>;

Deno.test("sensitive fields print as [redacted] through Deno.inspect, JSON.stringify, templates and redact()", async () => {
  const dirs = await layout();
  try {
    const secrets = await loadSecrets<Loaded>(schema, optionsFor(dirs));
    assert.equal(secrets.K8S_TOKEN, `k8s-${SENTINEL}-v1`); // direct reads return the value

    const inspected = Deno.inspect(secrets);
    assert.ok(!inspected.includes(SENTINEL), inspected);
    assert.match(inspected, /K8S_TOKEN: "\[redacted\]"/);
    assert.match(inspected, /PORT: 3000/);
    assert.ok(!Deno.inspect({ nested: { secrets } }, { depth: 10 }).includes(SENTINEL));
    assert.ok(!Deno.inspect(secrets, { colors: true, depth: Infinity }).includes(SENTINEL));

    const json = JSON.parse(JSON.stringify(secrets));
    assert.deepEqual(json, {
      K8S_TOKEN: "[redacted]", DOCKER_PASSWORD: "[redacted]", LOWER_KEY: "[redacted]", FILE_KEY: "[redacted]",
      ENV_KEY: "[redacted]", DEV_ONLY: "[redacted]", PORT: 3000,
    });
    assert.ok(!`${secrets}`.includes(SENTINEL));
    assert.ok(!String(secrets).includes(SENTINEL));
    assert.equal(redact(`token=${secrets.K8S_TOKEN} pw=${secrets.DOCKER_PASSWORD}`), "token=[redacted] pw=[redacted]");
  } finally {
    await Deno.remove(dirs.root, { recursive: true });
  }
});

Deno.test("console.log in a Deno process prints [redacted] for sensitive fields", async () => {
  const dirs = await layout();
  try {
    const code = `
      import { z } from "zod";
      import { defineSecrets, secret } from "secrets-gen";
      import { loadSecrets } from "secrets-gen/runtime";
      const schema = defineSecrets({ TOKEN: secret(z.string()), PORT: z.coerce.number().default(3000) });
      const secrets = await loadSecrets(schema, { env: { TOKEN: "console-${SENTINEL}" }, dockerDir: ${JSON.stringify(dirs.dockerDir)} });
      console.log(secrets);
      console.log("%o", secrets);
      console.error("in a message:", secrets);
      console.log({ wrapped: secrets });
    `;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", `${REPO}deno.json`, code],
      cwd: REPO,
      env: { NO_COLOR: "1" },
      clearEnv: false,
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    assert.ok(!stdout.includes(SENTINEL), stdout);
    assert.ok(!stderr.includes(SENTINEL), stderr);
    assert.match(stdout, /TOKEN: "\[redacted\]"/);
    assert.match(stdout, /PORT: 3000/);
    assert.match(stderr, /in a message: \{[^}]*TOKEN: "\[redacted\]"/s);
  } finally {
    await Deno.remove(dirs.root, { recursive: true });
  }
});

Deno.test("the chain reads a kubelet mount, a Docker dir (file option and lower case), *_FILE, env and devDefault", async () => {
  const dirs = await layout();
  try {
    const secrets = await loadSecrets<Loaded>(schema, optionsFor(dirs));
    assert.equal(secrets.K8S_TOKEN, `k8s-${SENTINEL}-v1`);
    assert.equal(secrets.DOCKER_PASSWORD, `docker-${SENTINEL}`);
    assert.equal(secrets.LOWER_KEY, `lower-${SENTINEL}`);
    assert.equal(secrets.FILE_KEY, `file-${SENTINEL}`);
    assert.equal(secrets.ENV_KEY, `env-${SENTINEL}`);
    assert.equal(secrets.DEV_ONLY, `dev-${SENTINEL}-default`);
    assert.equal(secrets.OPTIONAL_KEY, undefined);
    assert.equal(secrets.PORT, 3000);

    const where = (field: string) => {
      const entry = provenance(secrets, field);
      assert.ok(!JSON.stringify(entry).includes(SENTINEL));
      return `${entry.source} ${entry.where}`;
    };
    assert.equal(where("K8S_TOKEN"), `kubernetes ${dirs.k8sDir}/K8S_TOKEN`);
    assert.equal(where("DOCKER_PASSWORD"), `docker ${dirs.dockerDir}/docker_password`);
    assert.equal(where("LOWER_KEY"), `docker ${dirs.dockerDir}/lower_key`);
    assert.equal(where("FILE_KEY"), `docker FILE_KEY_FILE=${dirs.filesDir}/file_key`);
    assert.equal(where("ENV_KEY"), "env env ENV_KEY");
    assert.equal(provenance(secrets, "DEV_ONLY").source, "dev-default");
    assert.equal(provenance(secrets, "PORT").source, "schema");
  } finally {
    await Deno.remove(dirs.root, { recursive: true });
  }
});

Deno.test("the Kubernetes mount wins over Docker and env, and a ..data swap is picked up on the next load", async () => {
  const dirs = await layout();
  try {
    await Deno.writeTextFile(`${dirs.dockerDir}/K8S_TOKEN`, `docker-${SENTINEL}-loses\n`);
    const env = { K8S_TOKEN: `env-${SENTINEL}-loses` };
    const before = await loadSecrets<Loaded>(schema, optionsFor(dirs, env));
    assert.equal(before.K8S_TOKEN, `k8s-${SENTINEL}-v1`);

    await kubeletSwap(dirs.k8sDir, "..2024_02_02_00_00_00.000000002", { K8S_TOKEN: `k8s-${SENTINEL}-v2` });
    const after = await loadSecrets<Loaded>(schema, optionsFor(dirs, env));
    assert.equal(after.K8S_TOKEN, `k8s-${SENTINEL}-v2`);
    assert.equal(provenance(after, "K8S_TOKEN").source, "kubernetes");
  } finally {
    await Deno.remove(dirs.root, { recursive: true });
  }
});

Deno.test("a *_FILE path outside the allowed roots is refused, naming the path and not the content", async () => {
  const dirs = await layout();
  const outside = await Deno.makeTempDir({ prefix: "secrets-gen-outside-" });
  try {
    await Deno.writeTextFile(`${outside}/file_key`, `outside-${SENTINEL}\n`);
    const options = { ...optionsFor(dirs, { FILE_KEY_FILE: `${outside}/file_key` }), fileRoots: [] };
    const error = await loadSecrets(schema, options).then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof SecretsLoadError, String(error));
    assert.match(error.message, /FILE_KEY/);
    assert.ok(error.message.includes(`${outside}/file_key`), error.message);
    assert.ok(!error.message.includes(SENTINEL), error.message);
    assert.ok(!Deno.inspect(error).includes(SENTINEL));
  } finally {
    await Deno.remove(dirs.root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

for (const productionEnv of [{ NODE_ENV: "production" }, { SECRETS_ENV: "production" }] as Record<string, string>[]) {
  Deno.test(`production (${Object.keys(productionEnv)[0]}=production) refuses a field that only has a devDefault`, async () => {
    const dirs = await layout();
    try {
      const error = await loadSecrets(schema, optionsFor(dirs, productionEnv)).then(() => undefined, (caught: unknown) => caught);
      assert.ok(error instanceof SecretsLoadError, String(error));
      assert.equal(error.production, true);
      assert.deepEqual(error.failures.map((failure) => failure.field), ["DEV_ONLY"]);
      assert.match(error.message, /production mode/);
      assert.match(error.message, /DEV_ONLY/);
      assert.ok(!error.message.includes(SENTINEL), error.message);
      assert.ok(!JSON.stringify(error.failures).includes(SENTINEL));
      assert.ok(!Deno.inspect(error).includes(SENTINEL));
    } finally {
      await Deno.remove(dirs.root, { recursive: true });
    }
  });
}

Deno.test("the generated accessor module generated/secrets.ts loads under Deno", async () => {
  const { loadSecrets: loadGenerated, manifest } = await import("../../generated/secrets.ts");
  const empty = await Deno.makeTempDir({ prefix: "secrets-gen-empty-" });
  try {
    const env = {
      DATABASE_URL: `postgres://app:${SENTINEL}@db.example.test:5432/app`,
      SESSION_SECRET: `session-${SENTINEL}-0123456789abcdef0123456789`,
      STRIPE_API_KEY: `sk_test_${SENTINEL}`,
      PORT: "8443",
    };
    const secrets = await loadGenerated({ env, dockerDir: empty, cwd: empty, onWarning: () => {} });
    assert.equal(secrets.DATABASE_URL, env.DATABASE_URL);
    assert.equal(secrets.SESSION_SECRET, env.SESSION_SECRET);
    assert.equal(secrets.STRIPE_API_KEY, env.STRIPE_API_KEY);
    assert.equal(secrets.PORT, 8443);
    assert.ok(Object.keys(manifest).includes("DATABASE_URL"));
    const printed = [Deno.inspect(secrets), JSON.stringify(secrets), `${secrets}`].join("\n");
    assert.ok(!printed.includes(SENTINEL), printed);
    assert.equal(provenance(secrets, "SESSION_SECRET").source, "env");

    // Same module in production: STRIPE_API_KEY is accepted only from Kubernetes or Docker files.
    const error = await loadGenerated({ env: { ...env, NODE_ENV: "production" }, dockerDir: empty, cwd: empty, onWarning: () => {} })
      .then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof SecretsLoadError, String(error));
    assert.deepEqual(error.failures.map((failure) => failure.field), ["STRIPE_API_KEY"]);
    assert.ok(!error.message.includes(SENTINEL), error.message);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("in production a generated module's plans validate without importing the schema", async () => {
  const { createLoader } = await import("../../src/runtime/index.ts");
  const { toManifest } = await import("../../src/schema/manifest.ts");
  const { planOf } = await import("../../src/schema/plan-of.ts");
  const planned = defineSecrets({
    API_KEY: secret(z.string().min(20)),
    PORT: z.coerce.number().int().min(1),
    DEBUG: z.stringbool(),
    LEVEL: z.enum(["debug", "info"]),
  });
  let imports = 0;
  const load = createLoader<Record<string, unknown>>({
    manifest: toManifest(planned.fields),
    plans: Object.fromEntries(planned.fields.map((field) => [field.name, planOf(field.validator)])),
    schema: async () => (imports++, { default: planned }),
  });
  const env = { API_KEY: `key-${SENTINEL}-0123456789`, PORT: "8080", DEBUG: "yes", LEVEL: "info" };
  const options = { production: true, dockerDir: "/nonexistent", onWarning: () => {} };
  const secrets = await load({ env, ...options });
  assert.deepEqual([secrets.API_KEY === env.API_KEY, secrets.PORT, secrets.DEBUG, secrets.LEVEL], [true, 8080, true, "info"]);
  const error = await load({ env: { ...env, API_KEY: `${SENTINEL}-x`, LEVEL: "loud" }, ...options }).then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof SecretsLoadError, String(error));
  assert.match(error.message, /Too small: expected string to have >=20 characters/);
  assert.match(error.message, /Invalid option: expected one of "debug"\|"info"/);
  assert.ok(!error.message.includes(SENTINEL), error.message);
  assert.equal(imports, 0);
});
