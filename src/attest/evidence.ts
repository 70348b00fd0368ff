import { readFile } from "node:fs/promises";
import { FailclosedError } from "../kernel/errors.js";
import { type Keyring, computeTreeId, requireSigner, verifySealedDocument } from "../lane/index.js";
import { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, signEnvelope } from "./dsse.js";
import { evidenceStatement } from "./statement.js";

const SEAL_SUFFIX = ".evidence.jws";

/**
 * A rehearsal's sealed evidence as an in-toto Statement in a DSSE envelope, signed with a
 * rehearsal key. Nothing is attested that does not verify first: the evidence seal against the
 * keyring (S1-S5, a rehearsal key), then the directory beside it against the seal's tree id (E4).
 */
export async function attestEvidence(
  sealPath: string,
  keyring: Keyring,
  kid?: string,
): Promise<DsseEnvelope> {
  if (!sealPath.endsWith(SEAL_SUFFIX))
    throw new FailclosedError("USAGE", `${sealPath}: an evidence seal is named <rehearsal>${SEAL_SUFFIX}`);
  // The signing key first: a wrong key is a usage error, whatever the evidence holds.
  const signer = requireSigner(keyring, "rehearsal", kid);
  let text: string;
  try {
    text = await readFile(sealPath, "utf8");
  } catch (cause) {
    throw new FailclosedError("FILE_UNREADABLE", `${sealPath}: cannot read the evidence seal`, { cause });
  }
  const verified = await verifySealedDocument(keyring, "evidence", text.replace(/\n$/, ""));
  if (!verified.ok)
    throw new FailclosedError(
      "SEAL_INVALID",
      `${sealPath}: the evidence seal does not verify (${verified.error.code})`,
    );
  const claims = verified.value.payload;
  const dir = sealPath.slice(0, -SEAL_SUFFIX.length);
  const tree = await computeTreeId(dir);
  if (!tree.ok || tree.value !== claims.tree)
    throw new FailclosedError(
      "TREE_INVALID",
      `${dir}: the evidence directory does not hash to the sealed tree ${claims.tree}${tree.ok ? "" : ` (${tree.error.code})`}`,
    );
  const payload = Buffer.from(JSON.stringify(evidenceStatement(claims)), "utf8");
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, payload, signer);
}
