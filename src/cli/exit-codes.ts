/** Stable exit codes (documented in README.md); scripts and CI depend on them. */
export const EXIT = {
  /** Valid, closed, PASS, ALLOW. */
  OK: 0,
  /** A negative answer: invalid seal, tree mismatch, a finding, FAIL or REFUSED. */
  NEGATIVE: 1,
  /** Bad usage or bad input (flags, files, environment), or an inconclusive run. */
  USAGE: 2,
  /** A canary from the keyring under test appeared in failclosed's own output. */
  CANARY: 3,
  /** A bug in failclosed itself. */
  INTERNAL: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
