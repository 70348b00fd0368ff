import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import { ROLES, type Role } from "./roles.js";

export interface JwkSetFile {
  failclosed_test_only?: boolean;
  keys: Array<Record<string, string>>;
}

export interface GeneratedKeyring {
  /** One private JWK Set per role: each holder gets only its own signing key. */
  readonly privateByRole: ReadonlyMap<Role, JwkSetFile>;
  /** Every role's public half, for the components that verify. */
  readonly publicSet: JwkSetFile;
}

export interface GenerateOptions {
  readonly roles?: readonly Role[];
  readonly alg?: "EdDSA" | "HS256";
  readonly testOnly?: boolean;
  /** Prefix for kids, e.g. a date; a random suffix keeps kids unique across keyrings. */
  readonly kidPrefix?: string;
}

/** Fresh keys for every role (Ed25519 by default, S2). */
export async function generateKeyring(options: GenerateOptions = {}): Promise<GeneratedKeyring> {
  const roles = options.roles ?? ROLES;
  const alg = options.alg ?? "EdDSA";
  const privateByRole = new Map<Role, JwkSetFile>();
  const publicKeys: Array<Record<string, string>> = [];
  const marker = options.testOnly === true ? { failclosed_test_only: true } : {};
  for (const role of roles) {
    const kid = `${options.kidPrefix ?? role}-${randomBytes(4).toString("hex")}`;
    if (alg === "HS256") {
      const k = randomBytes(32).toString("base64url");
      privateByRole.set(role, { ...marker, keys: [{ kty: "oct", k, kid, alg, role, use: "sig" }] });
      continue;
    }
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const jwk = await exportJWK(privateKey);
    const x = jwk.x ?? "";
    const d = jwk.d ?? "";
    privateByRole.set(role, {
      ...marker,
      keys: [{ kty: "OKP", crv: "Ed25519", x, d, kid, alg, role, use: "sig" }],
    });
    publicKeys.push({ kty: "OKP", crv: "Ed25519", x, kid, alg, role, use: "sig" });
  }
  return { privateByRole, publicSet: { ...marker, keys: publicKeys } };
}

/** One JWK Set holding every private key: for tests and for the fuzzer's own keyring only. */
export function combinedPrivateSet(generated: GeneratedKeyring): JwkSetFile {
  const keys = [...generated.privateByRole.values()].flatMap((set) => set.keys);
  const testOnly = [...generated.privateByRole.values()].some((set) => set.failclosed_test_only === true);
  return testOnly ? { failclosed_test_only: true, keys } : { keys };
}
