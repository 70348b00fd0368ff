import { encodeDocument, checkSigner } from "../../lane/index.js";
import type { DocumentsByKind, SealedKind, SealType, KeyEntry, Role } from "../../lane/index.js";
import type { FamilyContext } from "../types.js";
import { signBytes } from "./sign-bytes.js";

export function keyOf(ctx: FamilyContext, role: Role): KeyEntry {
  const key = ctx.keyring.get(ctx.kids[role]);
  if (key === undefined) throw new Error(`the keyring under test has no ${role} key`);
  return key;
}

/**
 * A correctly sealed document, as the holder of that role's key would make it: byte for byte what
 * the lane's sealDocument makes (Ed25519 and HMAC are deterministic; a test holds the two equal),
 * with the same refusals (an invalid document, a role that may not seal it, no private half). Built
 * here rather than through jose, which signs through WebCrypto: rendering seals four or five
 * documents per probe, and signing them is half of what a render costs (sign-bytes.ts).
 */
export async function sealAs<K extends SealedKind>(
  ctx: FamilyContext,
  role: Role,
  kind: K,
  doc: DocumentsByKind[K],
): Promise<string> {
  const key = keyOf(ctx, role);
  // The strict codec checks the bytes it emits: an invalid document throws DOCUMENT_INVALID here.
  const payload = encodeDocument(kind, doc);
  const typ = `${kind}+jws` as SealType;
  checkSigner(key, typ);
  return rawJws(headerOf(key, typ), payload, key);
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64url");

/**
 * Lets the event loop run before each signature. A probe's four or five seals would otherwise be
 * one uninterrupted stretch of the main thread (signing is synchronous, sign-bytes.ts), and the
 * probe the other sub-seed has in flight would wait behind all of it: each answer of the target's
 * database worker and each verification back from the thread pool. The target fires one probe at a
 * time, so those waits add up on the run's critical path.
 */
const betweenSeals = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A compact JWS over exactly these header and payload bytes, signed for real with `key` (or with
 * no signature). Forgeries need header bytes a well-behaved library would never produce:
 * duplicate members, extra members, another alg. Hand-written for that reason.
 */
export async function rawJws(
  headerText: string,
  payload: Uint8Array | string,
  key: KeyEntry | undefined,
  signAs: "EdDSA" | "HS256" = key?.alg ?? "EdDSA",
): Promise<string> {
  const input = `${b64url(headerText)}.${b64url(payload)}`;
  if (key?.signKey === undefined) return `${input}.`;
  await betweenSeals();
  const signature = await signBytes(signAs, key.signKey, Buffer.from(input, "latin1"));
  return `${input}.${b64url(signature)}`;
}

export function headerOf(key: KeyEntry, typ: string): string {
  return JSON.stringify({ alg: key.alg, kid: key.kid, typ });
}
