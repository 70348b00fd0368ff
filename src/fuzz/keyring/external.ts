import { readFileSync } from "node:fs";
import { FailclosedError } from "../../kernel/errors.js";
import { loadKeyring, type Keyring, ROLES, type Role } from "../../lane/index.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "./under-test.js";

/**
 * The keyring under test of an external gate: the user's test keyring files. The fuzzer must hold
 * a private key of every role to build valid documents, so a missing one is a usage error.
 */
export async function keyringUnderTestFromFiles(
  paths: readonly string[],
  salt: string,
): Promise<KeyringUnderTest> {
  const keyring: Keyring = await loadKeyring(paths, { testMode: true });
  const kids = {} as Record<Role, string>;
  for (const role of ROLES) {
    const key = [...keyring.values()].find((k) => k.role === role && k.signKey !== undefined);
    if (key === undefined) {
      throw new FailclosedError(
        "KEY_MISSING",
        `the keyring under test holds no private ${role} key: the fuzzer needs every role's private key to build valid documents`,
      );
    }
    kids[role] = key.kid;
  }
  const jwkSets = paths.map((path) => JSON.parse(readFileSync(path, "utf8")) as unknown);
  // Strangers are keys the target never saw; the derived ones serve as well as any.
  const { stranger } = await deriveKeyringUnderTest(`stranger\0${salt}`);
  return { sources: [], keyring, kids, stranger, jwkSets };
}
