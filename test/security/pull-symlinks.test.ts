/** `pull --apply` must never write through a symlink: not into a git-tracked file, not over a file outside the repo. */
import { execFileSync } from "node:child_process";
import { chmodSync, lstatSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useManagerServers, writesCli } from "../helpers/managers-env.ts";
import { secretValue } from "../helpers/sentinels.ts";
import { tempDir, writeFiles } from "../helpers/tmp.ts";

const dir = tempDir("secrets-gen-pull-links-");
const managers = useManagerServers();
const { cli } = writesCli(managers);

function seed(): void {
  managers.vault.putSecret("secret", "app/db", { password: secretValue("db-password"), user: secretValue("db-user") });
  managers.vault.putSecret("secret", "app/signing", { key: secretValue("signing-key") });
  managers.aws.seed("prod/app", { api_key: `sk_${secretValue("api-key")}`, account: secretValue("account") });
}

describe("pull --apply and symlinks", () => {
  it("refuses .env.local -> deploy/app.env, a file git tracks, and leaves it as it was", async () => {
    seed();
    const repo = writeFiles(join(dir, "repo"), { "deploy/app.env": "LOG_LEVEL=debug\n" });
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo, stdio: "ignore" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "fixture");
    const link = join(repo, ".env.local");
    symlinkSync("deploy/app.env", link);
    const result = await cli(["pull", "--to", link, "--apply"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${link} is a symbolic link, and pull writes only a regular file so that secrets cannot land wherever it points: remove the link or pass --to the path of a regular, git-ignored file`);
    expect(readFileSync(join(repo, "deploy/app.env"), "utf8")).toBe("LOG_LEVEL=debug\n");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("refuses a link to a file outside the repo, keeping the target's content and mode", async () => {
    seed();
    const outside = join(writeFiles(join(dir, "elsewhere"), { "shared.env": "KEEP=1\n" }), "shared.env");
    chmodSync(outside, 0o644);
    const link = join(writeFiles(join(dir, "app"), {}), ".env.local");
    symlinkSync(outside, link);
    const result = await cli(["pull", "--to", link, "--apply"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${link} is a symbolic link`);
    expect(readFileSync(outside, "utf8")).toBe("KEEP=1\n");
    expect(statSync(outside).mode & 0o777).toBe(0o644);
  });
});
