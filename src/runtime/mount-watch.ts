/**
 * Kubernetes updates a mounted Secret atomically: kubelet writes the new files into a fresh
 * `..<timestamp>` directory and renames a `..data_tmp` symlink over `..data`. Watching the mount
 * for that rename lets a refreshing process pick up a rotated Secret at once instead of at the
 * next interval. Best effort: where the directory cannot be watched, the interval still applies.
 */
import { watch } from "node:fs";

export interface MountWatch {
  close(): void;
}

/** Call `onSwap` whenever `..data` is replaced in `dir`; undefined when `dir` cannot be watched. */
export function watchMountSwaps(dir: string, onSwap: () => void): MountWatch | undefined {
  try {
    const watcher = watch(dir, (_event, filename) => {
      if (String(filename) === "..data") onSwap();
    });
    // A mount that disappears ends the watch; refreshing on the interval goes on.
    watcher.on("error", () => watcher.close());
    // Like the refresh timer, the watch never keeps the process alive.
    watcher.unref();
    return watcher;
  } catch {
    return undefined;
  }
}
