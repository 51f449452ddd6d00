/** fast-check arbitraries and small predicates for the bad-input corpus. */
import fc from "fast-check";
import { PRODUCTION_SOURCES } from "../../src/schema/index.ts";

/** fc.anything with every odd shape fast-check knows: null prototypes, bigints, Maps, boxed values… */
export const weird = () =>
  fc.anything({
    withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withBoxedValues: true,
    withDate: true, withTypedArray: true, withSparseArray: true, withObjectString: true, withUnicodeString: true,
    maxDepth: 2,
  });

/** Strings in every flavour: printable ASCII, any code point (lone surrogates too), control characters. */
export const anyString = (maxLength = 64) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: "binary", maxLength }),
    fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength }),
    fc.string({ unit: "grapheme", maxLength }),
  );

/** A huge string (100 KB+), cheap to generate. */
export const hugeString = () =>
  fc.tuple(fc.constantFrom("x", "é", "💥", "\n", "%", "#", "?"), fc.integer({ min: 100_000, max: 120_000 })).map(([c, n]) => c.repeat(n));

const refPieces = ["a", "app/db", "/", "%", "%2F", "%zz", "#", "?", "&", "=", "==", "é", "💥", " ", "\n", "\t", "..", "\u0000", "key", "version=3", "://", "+", "."];
/** Refs built from plausible and hostile fragments: scheme, path, query, key. */
export const refLike = () =>
  fc
    .tuple(
      fc.oneof(fc.constantFrom("vault", "aws-sm", "gcp-sm", "azure-kv", "mem", "a+b.c-d", "Vault", "1x", "", "v ault"), anyString(8)),
      fc.constantFrom("://", ":/", "//", ":///", ""),
      fc.array(fc.oneof(fc.constantFrom(...refPieces), anyString(6)), { maxLength: 8 }).map((parts) => parts.join("")),
      fc.option(fc.array(fc.oneof(fc.constantFrom(...refPieces, "version=1&version=2", "a=1&b=2", "toString=1"), anyString(6)), { maxLength: 5 }).map((p) => p.join("")), { nil: undefined }),
      fc.option(fc.oneof(fc.constantFrom(...refPieces), anyString(10)), { nil: undefined }),
    )
    .map(([scheme, sep, path, query, key]) => `${scheme}${sep}${path}${query === undefined ? "" : `?${query}`}${key === undefined ? "" : `#${key}`}`);

const SOURCES = [...PRODUCTION_SOURCES];
/** secret() options where every key may be absent, well-formed, almost right, or any value at all. */
export const secretOptions = () =>
  fc.record(
    {
      from: fc.oneof(
        fc.constantFrom("vault://app/db#url", "mem://x", "aws-sm://prod/api?version=AWSCURRENT"),
        refLike(),
        fc.array(fc.oneof(refLike(), fc.constantFrom("mem://a", "mem://b"), weird()), { maxLength: 3 }),
        weird(),
      ),
      env: fc.oneof(fc.constantFrom("GOOD_NAME", "_X1", "1BAD", "a-b", "", "API KEY"), anyString(12), weird()),
      file: fc.oneof(fc.constantFrom("token", "db.password", "-x", ".hidden", "a/b", "..", ""), anyString(12), weird()),
      devDefault: fc.oneof(anyString(), weird()),
      description: fc.oneof(anyString(), weird()),
      optional: fc.oneof(fc.boolean(), weird()),
      productionSources: fc.oneof(
        fc.subarray(SOURCES),
        fc.array(fc.constantFrom(...SOURCES, "dev-default", "vault", "", "ENV"), { maxLength: 4 }),
        fc.constant(["manager"]),
        weird(),
      ),
    },
    { requiredKeys: [] },
  );
