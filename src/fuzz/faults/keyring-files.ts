/**
 * The keyring a start drill configures a component with: the component's own share of the keyring
 * under test written to files (as an operator would configure it), then broken as the fault says.
 * Breaking is done on the JWK Set's text, not through the lane's keyring code: the drill must not
 * share the parser it is testing.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { KeyringSource } from "../../lane/index.js";
import type { FaultName } from "./catalogue.js";

/** The role the component signs with, and the one its key is relabelled with (keyring-wrong-role). */
export interface SignerRoles {
  readonly own: "gate" | "rehearsal";
  readonly other: "gate" | "rehearsal";
}

export interface KeyringFiles {
  readonly paths: readonly string[];
  /** The kid the component is told to sign with (only for keyring-wrong-role). */
  readonly signerKid?: string;
}

type Jwk = Record<string, unknown>;

function jwkSet(bytes: Uint8Array): { keys: Jwk[] } & Record<string, unknown> {
  return JSON.parse(Buffer.from(bytes).toString("utf8")) as { keys: Jwk[] } & Record<string, unknown>;
}

/** The first private key of the signing role, relabelled; undefined when the share holds none. */
function relabelled(
  sources: readonly KeyringSource[],
  roles: SignerRoles,
): { index: number; bytes: Uint8Array; kid: string } | undefined {
  for (const [index, source] of sources.entries()) {
    const set = jwkSet(source.bytes);
    const key = set.keys.find((jwk) => jwk["role"] === roles.own && typeof jwk["d"] === "string");
    if (key === undefined || typeof key["kid"] !== "string") continue;
    key["role"] = roles.other;
    return { index, bytes: new Uint8Array(Buffer.from(JSON.stringify(set), "utf8")), kid: key["kid"] };
  }
  return undefined;
}

/**
 * Where a malformed keyring is cut: just after the first private member's value, so that the
 * broken file still holds a secret, and a component that quotes the file it could not parse
 * quotes a canary (F2). Half way through when the file holds no private member.
 */
function cutAfterSecret(bytes: Uint8Array): number {
  const text = Buffer.from(bytes).toString("latin1");
  const secret = /"(?:d|k)"\s*:\s*"[^"]*"/.exec(text);
  return secret === null ? Math.floor(bytes.length / 2) : secret.index + secret[0].length;
}

/** Writes the share into `dir` (mode 0600), broken as `fault` says. */
export async function writeBrokenKeyring(
  dir: string,
  share: readonly KeyringSource[],
  fault: Extract<FaultName, `keyring-${string}`>,
  roles: SignerRoles,
): Promise<KeyringFiles> {
  await mkdir(dir, { recursive: true });
  const contents = share.map((source) => source.bytes);
  let signerKid: string | undefined;
  const first = join(dir, "keyring-0.jwks.json");
  switch (fault) {
    case "keyring-malformed": {
      const bytes = contents[0] ?? new Uint8Array();
      contents[0] = bytes.subarray(0, cutAfterSecret(bytes));
      break;
    }
    case "keyring-wrong-role": {
      const changed = relabelled(share, roles);
      if (changed === undefined)
        throw new TypeError(`the component's share holds no private ${roles.own} key`);
      contents[changed.index] = changed.bytes;
      signerKid = changed.kid;
      break;
    }
    case "keyring-missing":
    case "keyring-unreadable":
      break;
  }
  const paths: string[] = [];
  for (const [index, bytes] of contents.entries()) {
    const path = join(dir, `keyring-${index}.jwks.json`);
    paths.push(path);
    if (index === 0 && fault === "keyring-missing") continue;
    if (index === 0 && fault === "keyring-unreadable") await mkdir(path);
    else await writeFile(path, bytes, { mode: 0o600 });
  }
  if (paths.length === 0) paths.push(first);
  return { paths, ...(signerKid === undefined ? {} : { signerKid }) };
}
