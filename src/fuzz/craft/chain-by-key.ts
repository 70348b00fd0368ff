import type fc from "fast-check";

/**
 * fast-check's chain, with each inner arbitrary built once per key. chain calls its function for
 * every generated value, and building a family's arbitrary (records of unions of mappings, regex
 * strings) costs milliseconds: done per value it dominated generation (P01 spent 5 ms a value).
 * Arbitraries are immutable, so sharing one per key changes nothing in what is generated.
 */
export function chainByKey<K, T>(keys: fc.Arbitrary<K>, make: (key: K) => fc.Arbitrary<T>): fc.Arbitrary<T> {
  const built = new Map<K, fc.Arbitrary<T>>();
  return keys.chain((key) => {
    let arbitrary = built.get(key);
    if (arbitrary === undefined) {
      arbitrary = make(key);
      built.set(key, arbitrary);
    }
    return arbitrary;
  });
}
