/**
 * Deleting what a KV v2 ref names, always recoverably:
 * - `#key` ref: a new version without that key, with check-and-set on the version read (the old
 *   versions keep the key; `vault kv rollback` restores it). Removing the last key leaves an empty secret.
 * - whole-value ref: a soft delete of exactly the version read (`POST <mount>/delete/<path>`,
 *   `{"versions": [n]}`), which `vault kv undelete` reverses. Metadata and older versions are kept:
 *   destroying them is never ours to decide.
 * Nothing at the path, or no such key, is already deleted.
 */
import { ProviderWriteError } from "../types.ts";
import { call, toFailure } from "./errors.ts";
import { encodePath } from "./kv.ts";
import { failureError, putVersion, readLatest, type WriteCall } from "./write.ts";

export async function deleteKv2(w: WriteCall): Promise<void> {
  const current = await readLatest(w);
  if (current.kind === "missing") return;
  const version = Number(current.version ?? 0);
  const key = w.ref.key;
  if (key !== undefined) {
    if (!Object.hasOwn(current.data, key)) return;
    const { [key]: _removed, ...rest } = current.data;
    await putVersion(w, rest, version);
    return;
  }
  const keys = Object.keys(current.data).length;
  if (keys > 1) {
    throw new ProviderWriteError("invalid", `${w.ref.raw}: the secret at ${w.target.mount}/data/${w.target.path} has ${keys} keys, so deleting it would take the others too; delete it in Vault itself or use a #key ref`);
  }
  try {
    await call(() => w.client.write(encodePath(`${w.target.mount}/delete/${w.target.path}`), { versions: [version] }), w.signal);
  } catch (error) {
    throw failureError(w, toFailure(error), "delete");
  }
}
