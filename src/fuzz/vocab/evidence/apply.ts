/** Applies one evidence flaw to the fully authorised QT001_APPLY request a correct gate allows. */
import { createHash } from "node:crypto";
import { formatTimestamp, type KeyEntry } from "../../../lane/index.js";
import { authorizedParts } from "../../craft/authorized.js";
import { idFor, requestIdFor, PACKET_ID, passingEvidence, request } from "../../craft/documents.js";
import { renderMutated, type Mutation } from "../../craft/json-render.js";
import { headerOf, keyOf, rawJws, sealAs } from "../../craft/seal.js";
import type { FamilyContext } from "../../types.js";
import { strangerOf } from "../strangers.js";
import { changeDigit, malformedDigest, upperHex } from "./digits.js";
import type { EvidenceFlaw } from "./flaws.js";

const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** Signs these payload bytes as the key's holder would, with a header naming `typ`. */
function sealBytes(key: KeyEntry, typ: string, payload: Uint8Array): Promise<string> {
  return rawJws(headerOf(key, typ), payload, key);
}

export async function applyEvidenceFlaw(
  flaw: EvidenceFlaw,
  label: string,
  ctx: FamilyContext,
): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, label, "QT001_APPLY");
  const { artifactSha256, evidenceTree } = parts;
  if (artifactSha256 === undefined || evidenceTree === undefined) throw new Error("QT001_APPLY has evidence");
  const owner = keyOf(ctx, "owner");
  const rehearsal = keyOf(ctx, "rehearsal");

  // The documents as a correct holder would make them; the flaw below bends exactly one thing.
  let packet: Record<string, unknown> = { ...parts.packet };
  let grants = parts.grants.map((g) => ({ ...g }));
  const claims: Record<string, unknown> = {
    ...passingEvidence(ctx, label, artifactSha256, evidenceTree, parts.packet.packet_id),
  };
  let evidenceKey = rehearsal;
  let evidenceTyp = "evidence+jws";
  let evidence: string | undefined;
  const requestMutations: Mutation[] = [];
  const evidenceMutations: Mutation[] = [];

  const packetJws = (): Promise<string> => sealBytes(owner, "decision-packet+jws", renderMutated(packet, []));
  const grantJws = (): Promise<string[]> => Promise.all(grants.map((g) => sealAs(ctx, "owner", "grant", g)));

  switch (flaw.kind) {
    case "verdict":
      claims["verdict"] = flaw.verdict;
      claims["reasons"] = flaw.reasons;
      break;
    case "scope":
      claims["scope"] = flaw.scope;
      break;
    case "tree-digit":
      claims["tree"] = changeDigit(evidenceTree, flaw.index, flaw.delta);
      break;
    case "tree-uppercase":
      if (flaw.where === "evidence") claims["tree"] = upperHex(evidenceTree);
      else packet = { ...packet, evidence: [upperHex(evidenceTree)] };
      break;
    case "tree-unlisted":
      packet = {
        ...packet,
        evidence: flaw.packetLists === "nothing" ? [] : [changeDigit(evidenceTree, 0, 8)],
      };
      break;
    case "artifact": {
      // authorizedParts hashes `migration\0<label>`: the other bytes are that text re-saved by an
      // editor (S6), which is exactly how a rehearsed artifact and the granted one drift apart.
      const other =
        flaw.how === "digit"
          ? changeDigit(artifactSha256, flaw.index, flaw.delta)
          : sha256Hex(
              flaw.how === "trailing newline" ? `migration\0${label}\n` : `\ufeffmigration\0${label}`,
            );
      if (flaw.side === "evidence") claims["artifact_sha256"] = other;
      else grants = grants.map((g) => (g.action === "QT001_APPLY" ? { ...g, artifact_sha256: other } : g));
      break;
    }
    case "packet-id":
      claims["packet_id"] = flaw.packetId;
      break;
    case "no-op":
      claims["after_apply"] = claims["before"];
      break;
    case "not-restored":
      claims["after_rollback"] =
        flaw.how === "kept the change"
          ? claims["after_apply"]
          : changeDigit(String(claims["before"]), flaw.index, 1);
      break;
    case "digest":
      claims[flaw.member] = malformedDigest(String(claims[flaw.member]), flaw.malformed);
      break;
    case "signer":
      evidenceKey = flaw.role === "stranger rehearsal" ? strangerOf(ctx, "rehearsal") : keyOf(ctx, flaw.role);
      break;
    case "extra-member":
      evidenceMutations.push({ kind: "add", path: [], name: flaw.name, raw: flaw.raw });
      break;
    case "missing":
      if (flaw.how === "absent") requestMutations.push({ kind: "remove", path: ["evidence"] });
      else
        requestMutations.push({
          kind: "replace",
          path: ["evidence"],
          raw: flaw.how === "null" ? "null" : '""',
        });
      break;
    case "typ-confusion":
      switch (flaw.replacedBy) {
        case "packet JWS":
          evidence = await packetJws();
          break;
        case "grant JWS":
          evidence = (await grantJws()).at(-1);
          break;
        case "permit JWS":
          evidence = await sealAs(ctx, "gate", "permit", {
            kind: "permit",
            v: 1,
            permit_id: idFor(ctx, "permit", label),
            request_id: requestIdFor(ctx, label),
            packet_id: PACKET_ID,
            action: "QT001_APPLY",
            target: "production",
            grants: parts.grants.map((g) => g.grant_id),
            issued_at: formatTimestamp(ctx.now),
            expires_at: formatTimestamp(ctx.now + 900),
          });
          break;
        case "evidence under packet typ":
          evidenceTyp = "decision-packet+jws";
          break;
        case "packet under evidence typ":
          evidence = await sealBytes(rehearsal, "evidence+jws", renderMutated(packet, []));
          break;
      }
      break;
    case "pass-with-reasons":
      claims["reasons"] = flaw.reasons;
      break;
  }

  evidence ??= await sealBytes(evidenceKey, evidenceTyp, renderMutated(claims, evidenceMutations));
  const doc = request(ctx, label, "QT001_APPLY", await packetJws(), await grantJws(), evidence);
  return renderMutated(doc, requestMutations);
}
