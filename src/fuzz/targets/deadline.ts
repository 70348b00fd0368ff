/**
 * Waiting for a system under test with a time limit. The work itself is never cancelled (an
 * in-process promise cannot be), so its late result or rejection is swallowed here: a probe that
 * timed out must not surface later as an unhandled rejection.
 */
export type Raced<T> =
  | { readonly kind: "done"; readonly value: T }
  | { readonly kind: "threw"; readonly error: unknown }
  | { readonly kind: "timed_out" };

export function race<T>(work: Promise<T>, timeoutMs: number): Promise<Raced<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: "timed_out" }), Math.max(0, timeoutMs));
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve({ kind: "done", value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ kind: "threw", error });
      },
    );
  });
}

/** The work's value, or undefined when it failed or took longer than timeoutMs. */
export async function within<T>(work: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  const raced = await race(work, timeoutMs);
  return raced.kind === "done" ? raced.value : undefined;
}

/** A short, single-line description of a thrown value for Outcome details (no stack trace). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const prefix = typeof code === "string" ? `${code}: ` : "";
    return `${prefix}${error.name}: ${error.message}`.split("\n")[0] ?? error.name;
  }
  return `non-error thrown: ${typeof error}`;
}

export function millisSince(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}
