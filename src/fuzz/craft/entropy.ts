import fc from "fast-check";

/**
 * The part of a probe's value that makes its nonces and ids fresh. Unbiased, because fast-check's
 * bias towards small integers would generate the same value twice and its second firing would be
 * refused as a replay; unshrinkable, because shrinking it towards 0 would recreate values already
 * fired. Everything else in a value shrinks as usual.
 */
export function entropy(): fc.Arbitrary<number> {
  return fc.noShrink(fc.noBias(fc.integer({ min: 0, max: 2 ** 31 - 1 })));
}
