/** How push, rotate and migrate report a failed write or delete: providers' sentences as they are, anything else by name only. */
import { describe, expect, it } from "vitest";
import { writeFailure } from "../../src/cli/manager-write.ts";
import { ProviderWriteError } from "../../src/providers/types.ts";
import { expectNoSentinel, secretValue } from "../helpers/sentinels.ts";

describe("writeFailure", () => {
  it("passes a provider's value-free sentence and kind through", () => {
    const error = new ProviderWriteError("conflict", "vault://app/db#password changed since it was read: run push again");
    expect(writeFailure(error, "write")).toEqual({ kind: "conflict", message: error.message });
  });

  it("names an unexpected error without quoting it, since an SDK error may echo the value sent", () => {
    const failure = writeFailure(new TypeError(`cannot serialise ${secretValue("echoed")}`), "delete");
    expect(failure.kind).toBe("delete");
    expect(failure.message).toMatch(/^the delete failed with an unexpected TypeError, whose text is not shown/);
    expectNoSentinel(failure.message);
  });
});
