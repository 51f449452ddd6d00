// Run examples/kubernetes/main.ts against a directory laid out exactly like a kubelet Secret
// volume, in production, then rotate the Secret the way kubelet does. Plain Node, no dependencies:
//   node examples/kubernetes/run.mjs
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx/cli");

// Keys of the Secret's `data:` become file names. secrets-gen looks for the field's `file` option,
// else its name, else its name in lower case.
const secretData = {
  DATABASE_URL: "postgres://app:fake-example-password@postgres.default.svc:5432/app",
  session_secret: "fake-example-session-secret-0123456789abcdef",
  STRIPE_API_KEY: "sk_test_fake_example_key_version_1",
};

/** Write one "..<timestamp>" payload directory, as kubelet's atomic writer does. */
function writePayload(mount, stamp, data) {
  mkdirSync(join(mount, stamp));
  for (const [key, value] of Object.entries(data)) writeFileSync(join(mount, stamp, key), value, { mode: 0o444 });
}

// The layout kubelet creates:   ..2025_01_01_00_00_00.000000001/KEY   (the real files)
//                               ..data -> ..2025_01_01_00_00_00.000000001
//                               KEY -> ..data/KEY                     (what the app opens)
const mount = mkdtempSync(join(tmpdir(), "k8s-secret-volume-"));
const first = "..2025_01_01_00_00_00.000000001";
writePayload(mount, first, secretData);
symlinkSync(first, join(mount, "..data"));
for (const key of Object.keys(secretData)) symlinkSync(join("..data", key), join(mount, key));

/** What kubelet does when the Secret changes: new payload, new ..data link renamed over the old one, old payload removed. */
function rotate() {
  const second = "..2025_02_01_00_00_00.000000002";
  writePayload(mount, second, { ...secretData, STRIPE_API_KEY: "sk_test_fake_example_key_version_2" });
  symlinkSync(second, join(mount, "..data_tmp"));
  renameSync(join(mount, "..data_tmp"), join(mount, "..data")); // atomic: readers see old or new, never half
  rmSync(join(mount, first), { recursive: true });
  console.log(`[run.mjs] rotated: ..data -> ${second}`);
}

const env = { ...process.env };
for (const name of ["DATABASE_URL", "SESSION_SECRET", "STRIPE_API_KEY", "SMTP_PASSWORD", "SECRETS_DOCKER_DIR", "SECRETS_ENV"]) {
  delete env[name];
  delete env[`${name}_FILE`];
}
Object.assign(env, { NODE_ENV: "production", SECRETS_K8S_DIR: mount });

console.log(`[run.mjs] secret volume: ${mount} (stands in for e.g. /etc/app-secrets)`);
console.log("[run.mjs] starting examples/kubernetes/main.ts with NODE_ENV=production\n");
const child = spawn(process.execPath, [tsx, "examples/kubernetes/main.ts"], { cwd: repo, env, stdio: ["pipe", "pipe", "inherit"] });
for await (const line of createInterface({ input: child.stdout })) {
  console.log(line);
  if (line === "waiting for the ..data swap") {
    rotate();
    child.stdin.end("reload\n");
  }
}
const code = child.exitCode ?? (await new Promise((resolve) => child.on("exit", resolve)));
rmSync(mount, { recursive: true, force: true });
process.exitCode = code ?? 1;
