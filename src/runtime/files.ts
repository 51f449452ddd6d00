/**
 * Reading secret files safely: Docker secrets, Kubernetes mounts and `<NAME>_FILE` paths.
 * Uses only node:fs APIs that Node and Deno both implement.
 */
import { open, realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";

export type FileRead =
  | { readonly status: "found"; readonly value: string; readonly path: string }
  | { readonly status: "missing" }
  | { readonly status: "error"; readonly message: string };

export interface FileReadOptions {
  /** The real file must lie inside one of these directories (after resolving symlinks). */
  readonly roots: readonly string[];
  readonly maxBytes: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Read a text secret file. Missing file → missing; anything else odd (outside the roots, a
 * directory, too big, not UTF-8 text) → an error that names the path but never shows content.
 */
export async function readSecretFile(path: string, options: FileReadOptions): Promise<FileRead> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    if (isNotFound(error)) return { status: "missing" };
    return { status: "error", message: `${path} cannot be read (${codeOf(error)}): ${permissionHint(error)}` };
  }
  if (!(await isInsideAny(real, options.roots))) {
    const allowed = options.roots.join(", ") || "none configured";
    return { status: "error", message: `${path} is outside the allowed secret directories (${allowed}): move it there or add its directory to fileRoots` };
  }
  const handle = await open(real, "r").catch((error: unknown) => error);
  if (!isHandle(handle)) return { status: "error", message: `${path} cannot be opened (${codeOf(handle)}): ${permissionHint(handle)}` };
  try {
    // Stat and read through one handle, so a swapped file cannot slip past the checks.
    const stats = await handle.stat();
    if (!stats.isFile()) return { status: "error", message: `${path} is not a regular file: point it at a file` };
    if (stats.size > options.maxBytes) {
      return { status: "error", message: `${path} is ${stats.size} bytes, over the ${options.maxBytes}-byte limit: check it is the right file or raise maxFileBytes` };
    }
    const buffer = new Uint8Array(options.maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > options.maxBytes) {
      return { status: "error", message: `${path} grew past the ${options.maxBytes}-byte limit while being read: check it is the right file` };
    }
    const text = decodeText(buffer.subarray(0, bytesRead));
    if (text === undefined) return { status: "error", message: `${path} is not UTF-8 text (binary content): store the secret as text, e.g. base64` };
    return { status: "found", value: trimOneNewline(text), path: real };
  } finally {
    await handle.close();
  }
}

/** Kubernetes and `echo secret > file` both add one trailing newline that is not part of the value. */
function trimOneNewline(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  if (text.endsWith("\n")) return text.slice(0, -1);
  return text;
}

function decodeText(bytes: Uint8Array): string | undefined {
  try {
    const text = utf8.decode(bytes);
    return text.includes("\0") ? undefined : text;
  } catch {
    return undefined;
  }
}

async function isInsideAny(real: string, roots: readonly string[]): Promise<boolean> {
  for (const root of roots) {
    const realRoot = await realpath(resolve(root)).catch(() => undefined);
    if (realRoot === undefined) continue;
    const rel = relative(realRoot, real);
    // Not startsWith(".."): kubelet's real files live in "..2024_01_01_00_00_00.123/" inside the root.
    const escapes = rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
    if (!escapes) return true;
  }
  return false;
}

type Handle = Awaited<ReturnType<typeof open>>;
function isHandle(value: unknown): value is Handle {
  return typeof value === "object" && value !== null && typeof (value as Handle).stat === "function";
}

function isNotFound(error: unknown): boolean {
  const code = codeOf(error);
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Deno refuses file reads without --allow-read; say so instead of blaming file permissions. */
function permissionHint(error: unknown): string {
  return codeOf(error) === "NotCapable" ? "run Deno with --allow-read (or --allow-read=<this directory>)" : "check its permissions";
}

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? (error as Error).name ?? "error";
}
