/**
 * A throwaway self-signed TLS certificate for the Azure test server, made with the `openssl` CLI
 * (Node has no X.509 generator). Valid for 127.0.0.1 and localhost for one day; the key never
 * leaves a temp directory that is removed at once.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificate {
  /** PEM certificate; also the CA a client must trust. */
  readonly cert: string;
  /** PEM private key. */
  readonly key: string;
}

/** True when the `openssl` CLI can be run. */
export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** `rsa` for a client certificate (MSAL signs its assertion with RS256/PS256); EC P-256 otherwise. */
export function createSelfSignedCertificate(keyType: "ec" | "rsa" = "ec"): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), "azure-kv-cert-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req", "-x509", "-nodes",
        ...(keyType === "rsa" ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]),
        "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", keyPath, "-out", certPath,
      ],
      { stdio: "ignore" },
    );
    return { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
