/**
 * Deleting what an aws-sm ref names, always recoverably:
 * - `#key` ref: a new AWSCURRENT version of the JSON object without that key (the previous version, now
 *   AWSPREVIOUS, still has it). Secrets Manager has no compare-and-set, so a change made between the read
 *   and the write is overwritten, as with writes. Removing the last key leaves `{}`.
 * - whole secret: DeleteSecret with a 30-day recovery window (`aws secretsmanager restore-secret` undoes it);
 *   never ForceDeleteWithoutRecovery.
 * No such secret, or no such key, is already deleted.
 */
import { isNotFound, writeError } from "./classify.ts";
import { send, type Fetcher } from "./fetch.ts";
import { currentObject, putString } from "./write.ts";
import type { SecretRef } from "../types.ts";

/** AWS's longest (and default) recovery window, so an unwanted delete can be undone for as long as possible. */
const RECOVERY_WINDOW_DAYS = 30;

export async function deleteSecret(f: Fetcher, ref: SecretRef, id: string): Promise<void> {
  if (ref.key !== undefined) {
    const current = await currentObject(f, ref, id);
    if (current === null || !Object.hasOwn(current, ref.key)) return;
    const { [ref.key]: _removed, ...rest } = current;
    await putString(f, id, JSON.stringify(rest)).catch((error: unknown) => {
      throw writeError(error, ref.raw, id, "PutSecretValue");
    });
    return;
  }
  try {
    await send(f, (o) => f.client.send(new f.sdk.DeleteSecretCommand({ SecretId: id, RecoveryWindowInDays: RECOVERY_WINDOW_DAYS }), o));
  } catch (error) {
    if (!isNotFound(error)) throw writeError(error, ref.raw, id, "DeleteSecret");
  }
}
