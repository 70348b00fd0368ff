/** Applies P03's problems to the fully authorised request: every grant still sealed by the owner. */
import { createHash } from "node:crypto";
import { encodeDocument, formatTimestamp, type Grant } from "../../../lane/index.js";
import { authorizedParts, labelOf } from "../../craft/authorized.js";
import { passingEvidence, request, validGrant } from "../../craft/documents.js";
import { renderMutated } from "../../craft/json-render.js";
import { keyOf, rawJws, sealAs } from "../../craft/seal.js";
import type { FamilyContext } from "../../types.js";
import type { GrantProblem, GrantValue } from "./problems.js";

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** One grant of the request, with how it travels: once, twice, or twice under another header. */
interface Slot {
  grant: Grant;
  twice?: "same-jws" | "resealed";
}

export function applyGrantProblem(
  ctx: FamilyContext,
  slot: Slot,
  p: GrantProblem,
  label: string,
): Slot | undefined {
  const now = ctx.now;
  switch (p.kind) {
    case "missing":
      return undefined;
    case "other-action": {
      // The same label keeps the replaced grant's id and nonce: only the action differs.
      const artifact = slot.grant.artifact_sha256 ?? sha256(`migration\0${label}`);
      return {
        grant: validGrant(
          ctx,
          p.action,
          `${label}:${slot.grant.action}`,
          p.action === "QT001_APPLY" ? { artifact_sha256: artifact } : {},
        ),
      };
    }
    case "other-packet":
      return { grant: { ...slot.grant, packet_id: p.packetId } };
    case "expired": {
      const expires = now - p.agoSeconds;
      return {
        grant: {
          ...slot.grant,
          not_before: formatTimestamp(expires - 6 * 3_600),
          expires_at: formatTimestamp(expires),
        },
      };
    }
    case "not-yet-valid": {
      const from = now + p.aheadSeconds;
      return {
        grant: {
          ...slot.grant,
          not_before: formatTimestamp(from),
          expires_at: formatTimestamp(from + 3_600),
        },
      };
    }
    case "twice":
      return { ...slot, twice: p.how };
  }
}

async function sealSlot(ctx: FamilyContext, slot: Slot): Promise<string[]> {
  const grant = slot.grant;
  const jws = await sealAs(ctx, "owner", "grant", grant);
  if (slot.twice === undefined) return [jws];
  if (slot.twice === "same-jws") return [jws, jws];
  // The same grant under a header with its members in another order: another valid JWS string, so
  // only the gate's own id and nonce checks can tell the two apart.
  const owner = keyOf(ctx, "owner");
  const header = JSON.stringify({ typ: "grant+jws", kid: owner.kid, alg: owner.alg });
  return [jws, await rawJws(header, encodeDocument("grant", grant), owner)];
}

export async function renderGrants(value: GrantValue, ctx: FamilyContext): Promise<Uint8Array> {
  const label = labelOf(value);
  const parts = authorizedParts(ctx, label, value.action);
  let packet = parts.packet;
  let slots: Array<Slot | undefined> = parts.grants.map((grant) => ({ grant }));
  const added: Slot[] = [];
  let evidenceArtifact = parts.artifactSha256;
  let withEvidence = value.action === "QT001_APPLY";

  for (const problem of value.problems) {
    switch (problem.place) {
      case "grant": {
        const slot = slots[problem.grant];
        slots[problem.grant] = slot && applyGrantProblem(ctx, slot, problem.problem, label);
        break;
      }
      case "pair": {
        // Never combined with a problem on one grant, so the slots are still the authorised ones.
        const [first, second] = slots;
        if (first === undefined) throw new Error("an authorised request has at least one grant");
        const shared = { [problem.shared]: first.grant[problem.shared] };
        const twin =
          second === undefined ? validGrant(ctx, first.grant.action, `${label}:second`) : second.grant;
        slots = [first, { ...second, grant: { ...twin, ...shared } }];
        break;
      }
      case "extra": {
        const artifact = sha256(`migration\0${label}\0extra`);
        added.push({
          grant: validGrant(
            ctx,
            problem.action,
            `${label}:extra:${problem.action}`,
            problem.action === "QT001_APPLY" ? { artifact_sha256: artifact } : {},
          ),
        });
        break;
      }
      case "option":
        packet = { ...packet, selected: problem.selected };
        break;
      case "evidence":
        if (problem.problem === "missing") withEvidence = false;
        // Each side gets its own other digest: with both problems, grant and evidence must still
        // disagree (one shared "other" value would make them agree again, and the request valid).
        else if (problem.problem === "other-artifact")
          evidenceArtifact = sha256(`other migration, evidence side\0${label}`);
        else {
          slots = slots.map((s) =>
            s?.grant.action === "QT001_APPLY"
              ? {
                  ...s,
                  grant: { ...s.grant, artifact_sha256: sha256(`other migration, grant side\0${label}`) },
                }
              : s,
          );
        }
        break;
    }
  }

  const packetJws = await sealAs(ctx, "owner", "decision-packet", packet);
  const present = [...slots, ...added].filter((s): s is Slot => s !== undefined);
  const grants = (await Promise.all(present.map((s) => sealSlot(ctx, s)))).flat();
  let evidence: string | undefined;
  if (withEvidence && evidenceArtifact !== undefined && parts.evidenceTree !== undefined) {
    evidence = await sealAs(
      ctx,
      "rehearsal",
      "evidence",
      passingEvidence(ctx, label, evidenceArtifact, parts.evidenceTree, parts.packet.packet_id),
    );
  }
  return renderMutated(request(ctx, label, value.action, packetJws, grants, evidence), []);
}
