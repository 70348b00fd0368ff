/** Applies one seal flaw: the slot's JWS as the genuine sealer makes it, bent in exactly one way. */
import { createHmac } from "node:crypto";
import type { AuthorizedParts } from "../../craft/authorized.js";
import { renderMutated } from "../../craft/json-render.js";
import { keyOf, rawJws } from "../../craft/seal.js";
import type { FamilyContext } from "../../types.js";
import { publicJwkOf, strangerOf } from "../strangers.js";
import type { SealFlaw } from "./flaws.js";
import { genuineOf, payloadOf } from "./genuine.js";
import { duplicateHeader, extraHeader } from "./headers.js";
import { kindOf, sealerOf, typOf, type Slot } from "./slots.js";
import { rotate, tamperableOffsets } from "./tamper.js";
import { b64url, BASE64URL, headerText, splitJws } from "./text.js";

/** The slot's JWS with one flaw; every other byte is what the genuine sealer would produce. */
export async function forge(
  ctx: FamilyContext,
  flaw: SealFlaw,
  slot: Slot,
  parts: AuthorizedParts,
): Promise<string> {
  const kind = kindOf(slot);
  const typ = typOf(kind);
  const signer = keyOf(ctx, sealerOf(kind));
  const genuine = genuineOf(kind, slot, ctx, parts);
  const payload = payloadOf(genuine);
  const header = (alg: string = signer.alg, kid = signer.kid, t: string = typ): string =>
    headerText([
      ["alg", alg],
      ["kid", kid],
      ["typ", t],
    ]);
  const sealed = (): Promise<string> => rawJws(header(), payload, signer);

  switch (flaw.kind) {
    case "tamper-payload": {
      const [h, , s] = splitJws(await sealed());
      // latin1 keeps offsets equal to byte offsets; the genuine documents are ASCII.
      const text = Buffer.from(payload).toString("latin1");
      const offsets = tamperableOffsets(text);
      const at = offsets[flaw.offset % offsets.length];
      if (at === undefined) throw new Error(`no tamperable character in the ${kind} payload`);
      const tampered = `${text.slice(0, at)}${rotate(text[at] ?? "")}${text.slice(at + 1)}`;
      return `${h}.${b64url(Buffer.from(tampered, "latin1"))}.${s}`;
    }
    case "tamper-signature": {
      const [h, p, s] = splitJws(await sealed());
      const signature = Buffer.from(s, "base64url");
      const at = flaw.offset % signature.length;
      signature[at] = (signature[at] ?? 0) ^ (1 << flaw.bit);
      return `${h}.${p}.${b64url(signature)}`;
    }
    case "wrong-role": {
      const wrong = keyOf(ctx, flaw.role);
      return rawJws(header(wrong.alg, wrong.kid), payload, wrong);
    }
    case "unknown-kid": {
      const stranger = strangerOf(ctx, sealerOf(kind));
      return rawJws(header(stranger.alg, stranger.kid), payload, stranger);
    }
    case "stranger-known-kid":
      return rawJws(header(), payload, strangerOf(ctx, sealerOf(kind)));
    case "alg-none":
      return flaw.signature === "empty"
        ? rawJws(header(flaw.alg), payload, undefined)
        : rawJws(header(flaw.alg), payload, signer, "EdDSA");
    case "kid-trick": {
      const kid = flaw.pattern.replaceAll("{kid}", signer.kid).replaceAll("{KID}", signer.kid.toUpperCase());
      return rawJws(header(signer.alg, kid), payload, signer);
    }
    case "hs256-public-key": {
      const jwk = publicJwkOf(signer);
      const secret =
        flaw.secret === "x-bytes"
          ? Buffer.from(jwk.x, "base64url")
          : Buffer.from(flaw.secret === "x-text" ? jwk.x : JSON.stringify(jwk), "utf8");
      const unsigned = (await rawJws(header("HS256"), payload, undefined)).slice(0, -1);
      return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
    }
    case "alg-mismatch":
      return rawJws(header(flaw.alg), payload, signer, "EdDSA");
    case "extra-header":
      return extraHeader(ctx, flaw.member, signer, typ, payload, kind);
    case "duplicate-header":
      return duplicateHeader(ctx, flaw, signer, typ, payload);
    case "typ-other":
    case "typ-lookalike":
      return rawJws(header(signer.alg, signer.kid, flaw.typ), payload, signer);
    case "kind-mismatch": {
      const other =
        flaw.how === "document"
          ? payloadOf(genuineOf(flaw.as, undefined, ctx, parts))
          : renderMutated(genuine.doc, [{ kind: "replace", path: ["kind"], raw: JSON.stringify(flaw.as) }]);
      return rawJws(header(), other, signer);
    }
    case "padding": {
      const split = splitJws(await sealed());
      const index = ["header", "payload", "signature"].indexOf(flaw.part);
      const text = split[index] ?? "";
      // Standard padding when the length calls for it, else a lone "=": non-canonical either way.
      split[index] = `${text}${"=".repeat((4 - (text.length % 4)) % 4 || 1)}`;
      return split.join(".");
    }
    case "whitespace": {
      const split = splitJws(await sealed());
      const index = ["header", "payload", "signature"].indexOf(flaw.part);
      const text = split[index] ?? "";
      const at = flaw.offset % (text.length + 1);
      split[index] = `${text.slice(0, at)}${flaw.char}${text.slice(at)}`;
      return split.join(".");
    }
    case "standard-alphabet": {
      const [h, p, s] = splitJws(await sealed());
      return `${h}.${p}.${Buffer.from(s, "base64url").toString("base64")}`;
    }
    case "trailing-bits": {
      const [h, p, s] = splitJws(await sealed());
      // 64 bytes take 85 full sextets plus 2 bits: the last character's low 4 bits carry nothing.
      const last = BASE64URL.indexOf(s.slice(-1));
      const changed = BASE64URL[(last & 0b110000) | flaw.bits] ?? "";
      return `${h}.${p}.${s.slice(0, -1)}${changed}`;
    }
    case "parts": {
      const [h, p, s] = splitJws(await sealed());
      // 1 and 2 parts drop the signature (and the payload); 4 and 5 repeat it.
      return [h, p, s, s, s].slice(0, flaw.count).join(".");
    }
    case "detached": {
      const [h, , s] = splitJws(await sealed());
      // RFC 7515 appendix F: the signature still covers the payload, which travels elsewhere.
      return `${h}..${s}`;
    }
  }
}
