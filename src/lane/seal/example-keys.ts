/**
 * S7: keys published in specifications and in this repository. A component refuses them outside
 * test mode, since anyone can sign with them. Listed by their public (or secret, for HMAC) value.
 */
export const PUBLISHED_ED25519_X: ReadonlySet<string> = new Set([
  // RFC 8037 appendix A.1
  "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
]);

export const PUBLISHED_HMAC_K: ReadonlySet<string> = new Set([
  // RFC 7515 appendix A.1
  "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
  // RFC 7520 section 3.5
  "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg",
]);
