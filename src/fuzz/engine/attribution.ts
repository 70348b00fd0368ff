/**
 * Which probe a crash or a hang belongs to. Where probes share one target process (an HTTP gate,
 * a child, sub-seeds in flight at once), a crash caused by one probe can break its siblings in
 * flight, and each sibling then "fails" too. So every probe seen crashing or hanging is a
 * suspect, and each suspect's exact bytes are fired again alone, one after the other, in the order
 * they were seen: the first that fails the same way again is the finding. When none does, the
 * first suspect stands unconfirmed (flaky, or inconclusive when it could not be judged): never
 * closed, and never pinned on bytes that did not reproduce.
 */

/** What firing one suspect's bytes alone gave. */
export type Recheck =
  | { readonly kind: "reproduced" }
  | { readonly kind: "not_reproduced"; readonly passed: number }
  | { readonly kind: "unjudged"; readonly why: string };

export type Attribution<S> =
  | { readonly kind: "confirmed"; readonly suspect: S }
  | { readonly kind: "unconfirmed"; readonly suspect: S; readonly recheck: Recheck };

/**
 * Fires the suspects alone, strictly one at a time (never two in flight), until one reproduces.
 * `suspects` must not be empty; the first is the one detected first.
 */
export async function attribute<S>(
  suspects: readonly [S, ...S[]],
  recheck: (suspect: S) => Promise<Recheck>,
): Promise<Attribution<S>> {
  let first: Recheck | undefined;
  for (const suspect of suspects) {
    const result = await recheck(suspect);
    first ??= result;
    switch (result.kind) {
      case "reproduced":
        return { kind: "confirmed", suspect };
      case "not_reproduced":
      case "unjudged":
        break;
    }
  }
  return {
    kind: "unconfirmed",
    suspect: suspects[0],
    recheck: first ?? { kind: "not_reproduced", passed: 0 },
  };
}
