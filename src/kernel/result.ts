/** A result as a discriminated union: lane code returns these and throws only at the edge. */
export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/** For exhaustive switches: the compiler proves this is unreachable. */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`unreachable: unexpected ${what} ${String(value)}`);
}
