/**
 * Reading secret files safely: Docker secrets, Kubernetes mounts and `<NAME>_FILE` paths.
 * Uses only node:fs APIs that Node and Deno both implement.
 */
import { constants } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";

export type FileRead =
  | { readonly status: "found"; readonly value: string; readonly path: string }
  | { readonly status: "missing" }
  | { readonly status: "error"; readonly message: string };

export interface FileReadOptions {
  /** The real file must lie inside one of these directories (after resolving symlinks). */
  readonly roots: readonly string[];
  readonly maxBytes: number;
  /** Give up on a read still unfinished after this long (a hung network file system); default never. */
  readonly deadlineMs?: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Read a text secret file. Missing file → missing; anything else odd (outside the roots, not a
 * regular file, too big, not UTF-8 text) → an error that names the path but never shows content.
 */
export async function readSecretFile(path: string, options: FileReadOptions): Promise<FileRead> {
  const { deadlineMs } = options;
  if (deadlineMs === undefined) return readSteady(path, options);
  // The read itself cannot be cancelled; start-up goes on without it, and it closes its handle when it ends.
  // AbortSignal.timeout: an unref'd timer that never keeps a finished process alive.
  const deadline = AbortSignal.timeout(deadlineMs);
  let onLate: (() => void) | undefined;
  const late = new Promise<FileRead>((resolve) => {
    onLate = () => resolve({ status: "error", message: `${path} was not read within the ${deadlineMs} ms start-up deadline: check the file system it lives on` });
    deadline.addEventListener("abort", onLate, { once: true });
  });
  try {
    return await Promise.race([readSteady(path, options), late]);
  } finally {
    deadline.removeEventListener("abort", onLate!);
  }
}

/** Read through readChecked, again when the path changed under it. */
async function readSteady(path: string, options: FileReadOptions): Promise<FileRead> {
  // A path that keeps changing between the check and the open is refused after a few tries;
  // one change is normal (kubelet swaps ..data when a Secret is updated).
  for (let attempt = 1; ; attempt++) {
    const read = await readChecked(path, options);
    if (read !== "changed") return read;
    if (attempt === 3) return { status: "error", message: `${path} kept changing while it was being opened: check what rewrites it` };
  }
}

/** One check-open-verify pass; "changed" when the opened file is no longer what the path names. */
async function readChecked(path: string, options: FileReadOptions): Promise<FileRead | "changed"> {
  const checked = await checkPath(path, options);
  if (checked.status !== "inside") return checked;
  // Stat first: opening a FIFO or a device could block start-up (or have effects) before any check.
  const before = await stat(checked.real).catch((error: unknown) => error);
  if (!isStats(before)) return isNotFound(before) ? "changed" : { status: "error", message: `${path} cannot be read (${codeOf(before)}): ${permissionHint(before)}` };
  if (!before.isFile()) return { status: "error", message: `${path} is not a regular file: point it at a file` };
  // O_NONBLOCK: should a FIFO be swapped in after the stat, opening it still does not wait for a writer.
  const handle = await open(checked.real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch((error: unknown) => error);
  if (!isHandle(handle)) {
    if (isNotFound(handle)) return "changed";
    return { status: "error", message: `${path} cannot be opened (${codeOf(handle)}): ${permissionHint(handle)}` };
  }
  try {
    // Stat and read through one handle, so a swapped file cannot slip past the checks.
    const stats = await handle.stat();
    if (!stats.isFile()) return { status: "error", message: `${path} is not a regular file: point it at a file` };
    // The open followed the path again: a directory on it swapped for a symlink since the check
    // would have opened another file. Whatever the path names now must be inside the roots and be
    // the very file opened.
    const now = await checkPath(path, options);
    if (now.status !== "inside") return now.status === "missing" ? "changed" : now;
    const current = await stat(now.real).catch(() => undefined);
    if (current === undefined || current.dev !== stats.dev || current.ino !== stats.ino) return "changed";
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
    return { status: "found", value: trimOneNewline(text), path: now.real };
  } finally {
    await handle.close();
  }
}

type Checked = { readonly status: "inside"; readonly real: string } | Exclude<FileRead, { status: "found" }>;

/** The path's real location (symlinks and `..` resolved), when it lies inside the roots. */
async function checkPath(path: string, options: FileReadOptions): Promise<Checked> {
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
  return { status: "inside", real };
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
type Stats = Awaited<ReturnType<typeof stat>>;
function isStats(value: unknown): value is Stats {
  return typeof value === "object" && value !== null && typeof (value as Stats).isFile === "function";
}
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
