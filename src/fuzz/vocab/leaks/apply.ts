/** Applies one leak flaw to the fully authorised QT001_APPLY request a correct gate allows. */
import { formatTimestamp, type ActionRequest, type KeyEntry } from "../../../lane/index.js";
import { authorizedParts, authorizedRequest } from "../../craft/authorized.js";
import { idFor, requestIdFor, PACKET_ID, passingEvidence } from "../../craft/documents.js";
import { renderMutated, type Mutation } from "../../craft/json-render.js";
import { headerOf, keyOf, rawJws, sealAs } from "../../craft/seal.js";
import type { FamilyContext } from "../../types.js";
import {
  kidText,
  ROLE_OF,
  type Deep,
  type Encoding,
  type JwsSlot,
  type LeakFlaw,
  type Payload,
  type Source,
} from "./flaws.js";

/**
 * The real seals of one probe's request, and a permit the gate key really signed for it. The
 * permit is sealed only when a flaw carries it: most flaws do not, and a signature is a good part
 * of the cost of rendering a probe.
 */
type Tokens = (source: Source) => Promise<string>;

const TYP_OF: Readonly<Record<JwsSlot, string>> = {
  packet: "decision-packet+jws",
  grant: "grant+jws",
  evidence: "evidence+jws",
};

function permitFor(ctx: FamilyContext, label: string, grantIds: readonly string[]) {
  return {
    kind: "permit" as const,
    v: 1 as const,
    permit_id: idFor(ctx, "permit", label),
    request_id: requestIdFor(ctx, label),
    packet_id: PACKET_ID,
    action: "QT001_APPLY" as const,
    target: "production" as const,
    grants: grantIds,
    issued_at: formatTimestamp(ctx.now),
    expires_at: formatTimestamp(ctx.now + 900),
  };
}

function encode(text: string, encoding: Encoding): string {
  switch (encoding) {
    case "raw":
      return text;
    case "base64url":
      return Buffer.from(text, "utf8").toString("base64url");
    case "hex":
      return Buffer.from(text, "utf8").toString("hex");
    case "HEX":
      return Buffer.from(text, "utf8").toString("hex").toUpperCase();
  }
}

async function payloadText(payload: Payload, tokens: Tokens): Promise<string> {
  if (payload.kind === "text") return payload.text;
  const token = await tokens(payload.source);
  return `${payload.prefix}${"x".repeat(payload.pad)}${encode(token, payload.encoding)}`;
}

const lastGrant = (request: ActionRequest): string => request.grants.at(-1) ?? "";

export async function applyLeakFlaw(flaw: LeakFlaw, label: string, ctx: FamilyContext): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, label, "QT001_APPLY");
  const request = await authorizedRequest(ctx, parts);
  let permit: Promise<string> | undefined;
  const sealPermit = (): Promise<string> =>
    (permit ??= sealAs(
      ctx,
      "gate",
      "permit",
      permitFor(
        ctx,
        label,
        parts.grants.map((g) => g.grant_id),
      ),
    ));
  const tokens: Tokens = async (source) => {
    switch (source) {
      case "permit":
        return sealPermit();
      case "packet":
        return request.packet;
      case "grant":
        return lastGrant(request);
      case "evidence":
        return request.evidence ?? "";
    }
  };
  const owner = keyOf(ctx, "owner");
  const rehearsal = keyOf(ctx, "rehearsal");
  const json = (text: string): string => JSON.stringify(text);
  const withGrant = (grant: string): ActionRequest => ({
    ...request,
    grants: [...request.grants.slice(0, -1), grant],
  });

  switch (flaw.kind) {
    case "member": {
      const text = await payloadText(flaw.payload, tokens);
      if (flaw.slot === "grant") return renderMutated(withGrant(text), []);
      return renderMutated(request, [{ kind: "replace", path: [flaw.slot], raw: json(text) }]);
    }
    case "extra":
      return renderMutated(request, [
        { kind: "add", path: [], name: flaw.name, raw: json(await payloadText(flaw.payload, tokens)) },
      ]);
    case "duplicate": {
      const mutation: Mutation = {
        kind: "duplicate",
        path: [],
        name: flaw.slot,
        raw: json(await payloadText(flaw.payload, tokens)),
        escapeName: flaw.escapeName,
      };
      return renderMutated(request, [mutation]);
    }
    case "kid": {
      // Signed for real by the key that should seal this document; only the header's kid lies.
      const key = keyOf(ctx, ROLE_OF[flaw.doc]);
      const header = JSON.stringify({ alg: key.alg, kid: kidText(flaw.kid, ctx), typ: TYP_OF[flaw.doc] });
      const payload = {
        packet: () => parts.packet,
        grant: () => parts.grants.at(-1),
        evidence: () => evidenceOf(ctx, label, parts),
      }[flaw.doc]();
      const jws = await rawJws(header, renderMutated(payload, []), key);
      if (flaw.doc === "grant") return renderMutated(withGrant(jws), []);
      return renderMutated({ ...request, [flaw.doc]: jws }, []);
    }
    case "deep":
      return renderDeep(flaw.what, {
        ctx,
        label,
        request,
        permit: sealPermit,
        owner,
        rehearsal,
        parts,
        withGrant,
      });
  }
}

interface DeepInput {
  readonly ctx: FamilyContext;
  readonly label: string;
  readonly request: ActionRequest;
  readonly permit: () => Promise<string>;
  readonly owner: KeyEntry;
  readonly rehearsal: KeyEntry;
  readonly parts: ReturnType<typeof authorizedParts>;
  readonly withGrant: (grant: string) => ActionRequest;
}

/**
 * Documents correctly sealed by their holder whose signed bytes fail only after the signature
 * verifies: the error path runs deep inside the gate, where an echo of "what went wrong" is likeliest.
 */
async function renderDeep(what: Deep, d: DeepInput): Promise<Uint8Array> {
  const seal = (key: KeyEntry, typ: string, payload: Uint8Array | string): Promise<string> =>
    rawJws(headerOf(key, typ), payload, key);
  switch (what) {
    case "grant of 5 KB":
    case "grant of 60 KB": {
      // Whitespace is valid JSON: the grant itself is fine, only its size breaks R4.
      const pad = what === "grant of 5 KB" ? 5_000 : 60_000;
      const grant = Buffer.concat([
        Buffer.from(renderMutated(d.parts.grants.at(-1), [])),
        Buffer.alloc(pad, 0x20),
      ]);
      return renderMutated(d.withGrant(await seal(d.owner, "grant+jws", grant)), []);
    }
    case "packet nested 40 deep": {
      const nested = `${"[".repeat(40)}${JSON.stringify(await d.permit())}${"]".repeat(40)}`;
      const bytes = renderMutated(d.parts.packet, [{ kind: "replace", path: ["evidence"], raw: nested }]);
      return renderMutated({ ...d.request, packet: await seal(d.owner, "decision-packet+jws", bytes) }, []);
    }
    case "packet payload is a permit JWS":
      return renderMutated(
        { ...d.request, packet: await seal(d.owner, "decision-packet+jws", await d.permit()) },
        [],
      );
    case "packet payload is a permit": {
      const payload = Buffer.from((await d.permit()).split(".")[1] ?? "", "base64url");
      return renderMutated({ ...d.request, packet: await seal(d.owner, "decision-packet+jws", payload) }, []);
    }
    case "evidence with invalid UTF-8": {
      const claims = evidenceOf(d.ctx, d.label, d.parts);
      const bytes = Buffer.from(renderMutated(claims, []));
      const at = bytes.indexOf('"clone"') + 1;
      const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at)]);
      return renderMutated({ ...d.request, evidence: await seal(d.rehearsal, "evidence+jws", broken) }, []);
    }
    case "evidence carrying a permit": {
      const bytes = renderMutated(evidenceOf(d.ctx, d.label, d.parts), [
        { kind: "add", path: [], name: "permit", raw: JSON.stringify(await d.permit()) },
      ]);
      return renderMutated({ ...d.request, evidence: await seal(d.rehearsal, "evidence+jws", bytes) }, []);
    }
  }
}

/** The passing evidence claims the authorised request carries, to be sealed with a twist. */
function evidenceOf(ctx: FamilyContext, label: string, parts: ReturnType<typeof authorizedParts>) {
  const { artifactSha256, evidenceTree } = parts;
  if (artifactSha256 === undefined || evidenceTree === undefined) throw new Error("QT001_APPLY has evidence");
  return passingEvidence(ctx, label, artifactSha256, evidenceTree, parts.packet.packet_id);
}
