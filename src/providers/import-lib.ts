/** Thrown when a field uses a provider whose SDK is not installed. */
export class MissingSdkError extends Error {
  override name = "MissingSdkError";
}

/**
 * Import a provider's SDK on first use only, so an app with no `vault://` field never loads
 * node-vault. `load` must be a literal `() => import("pkg")` so bundlers can see it.
 */
export async function importLib<T>(provider: string, pkg: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || /Cannot find (module|package)/.test(String(error))) {
      throw new MissingSdkError(
        `the ${provider} provider needs the package "${pkg}", which is not installed: run \`npm install ${pkg}\``,
        { cause: error },
      );
    }
    throw error;
  }
}
