import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  decodeDocument,
  encodeDocument,
  isCanonicalBase64url,
  MAX_STRING_CHARS,
  treeIdOfEntries,
  type TreeNode,
  jwsText,
} from "../../lane/index.js";
import type { DecisionPacket } from "../../lane/index.js";
import { FailclosedError } from "../../kernel/errors.js";
import { CORPORA_DIR } from "../../kernel/paths.js";
import type { SeedCorpus, SeedPacket } from "../types.js";

/** git's SHA-256 id of the empty tree: the digest of a corpus without seeds. */
const EMPTY_TREE_ID = "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321";

/**
 * What a seed's owner seal costs beside its payload, generously: the header (alg, a kid of up
 * to 64 characters, typ) and an Ed25519 or HMAC signature, base64url, and two dots.
 */
const SEAL_OVERHEAD_CHARS = 400;
/** The longest evidence list a base can be given (authorizedPacket adds the request's tree). */
const ADDED_EVIDENCE_CHARS = 70;

/** corpora/<family>/seeds/: the decision packets a family starts from. */
export function seedsDir(familyId: string, root = CORPORA_DIR): string {
  return join(root, familyId, "seeds");
}

function invalid(path: string, why: string): FailclosedError {
  return new FailclosedError("DOCUMENT_INVALID", `${path}: ${why}`);
}

/**
 * A sealed seed's payload. Its signature is not verified, on purpose: seeds are sealed with keys
 * the run does not hold (the published test keyring, a team's own), and a base is re-sealed with
 * the run's keys anyway. What is checked is the form: three canonical base64url parts and a
 * header that names a decision packet.
 */
function payloadOfJws(path: string, bytes: Buffer): Buffer {
  const parts = jwsText(bytes).split(".");
  if (parts.length !== 3 || parts.some((p) => p === "" || !isCanonicalBase64url(p)))
    throw invalid(path, "not a compact JWS with an attached payload");
  const header = decodeDocument("jws-header", Buffer.from(parts[0] ?? "", "base64url"));
  if (!header.ok) throw invalid(path, `the JWS header is invalid (${header.error.code})`);
  if (header.value.typ !== "decision-packet+jws")
    throw invalid(path, `a seed is a decision packet, this JWS is a ${header.value.typ}`);
  return Buffer.from(parts[1] ?? "", "base64url");
}

function decodeSeed(path: string, name: string, bytes: Buffer): DecisionPacket {
  let payload: Buffer;
  if (name.endsWith(".jws")) payload = payloadOfJws(path, bytes);
  else if (name.endsWith(".json")) payload = bytes;
  else throw invalid(path, "a seed is a decision packet in a .json or .jws file");
  const decoded = decodeDocument("decision-packet", payload);
  if (!decoded.ok) {
    const where = decoded.error.path === undefined ? "" : ` at ${decoded.error.path}`;
    throw invalid(path, `not a valid decision packet (${decoded.error.code}${where})`);
  }
  // A base travels as a sealed JWS inside a request's `packet` string (R4): one that cannot fit
  // there would make every probe built on it fail for its size instead of its mutation.
  const sealedChars =
    Math.ceil(((encodeDocument("decision-packet", decoded.value).length + ADDED_EVIDENCE_CHARS) * 4) / 3) +
    SEAL_OVERHEAD_CHARS;
  if (sealedChars > MAX_STRING_CHARS)
    throw invalid(
      path,
      `too large to seal into a request (${sealedChars} of ${MAX_STRING_CHARS} characters)`,
    );
  return decoded.value;
}

async function entriesOf(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir)).sort();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new FailclosedError("FILE_UNREADABLE", `${dir}: cannot read the corpus`, { cause });
  }
}

/**
 * Reads every family's seeds under `root`, each checked by the codec as the gate would check it
 * (R1-R11) and refused with DOCUMENT_INVALID and its path when it is not a valid packet: a bad
 * seed is never skipped, or a run would silently lose the bases it was meant to start from.
 */
export async function loadSeedCorpus(root = CORPORA_DIR): Promise<SeedCorpus> {
  const packets: SeedPacket[] = [];
  const tree = new Map<string, TreeNode>();
  for (const family of (await entriesOf(root)) ?? []) {
    const dir = seedsDir(family, root);
    const names = (await entriesOf(dir))?.filter((n) => !n.startsWith("."));
    if (names === undefined || names.length === 0) continue;
    const files = new Map<string, TreeNode>();
    for (const name of names) {
      const path = join(dir, name);
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (cause) {
        throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot read the seed`, { cause });
      }
      packets.push({ family, name, packet: decodeSeed(path, name, bytes) });
      files.set(name, bytes);
    }
    tree.set(family, new Map([["seeds", files]]));
  }
  if (tree.size === 0) return { digest: EMPTY_TREE_ID, packets };
  const digest = treeIdOfEntries(tree);
  if (!digest.ok) throw invalid(join(root, digest.error.path), digest.error.message);
  return { digest: digest.value, packets };
}
