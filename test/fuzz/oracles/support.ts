/**
 * Hand-made probes, outcomes and oracle inputs: the oracles are judged without any target. The
 * keyring is fresh for each test file and holds a planted canary key, as a run's keyring would.
 */
import { flattenedVerify } from "jose";
import { canariesFromJwks, plantCanaryKey, type CanaryJwk } from "../../../src/fuzz/canary/index.js";
import { oracleInput } from "../../../src/fuzz/oracles/index.js";
import type {
  OracleInput,
  Operation,
  Outcome,
  Probe,
  ProbeRole,
  SideChannels,
} from "../../../src/fuzz/types.js";
import type { DocumentsByKind, SealedKind } from "../../../src/lane/codec/index.js";
import { encodeDocument } from "../../../src/lane/codec/index.js";
import type { Keyring, Role } from "../../../src/lane/seal/index.js";
import {
  combinedPrivateSet,
  loadKeyringFromSources,
  sealArtifact,
  sealDocument,
} from "../../../src/lane/seal/index.js";
import type { TestKeyring } from "../../support/keyrings.js";
import { makeKeyring, sourceOf } from "../../support/keyrings.js";

export interface OracleFixture {
  readonly keys: TestKeyring;
  /** The keyring under test: every role's key plus the planted canary. */
  readonly keyring: Keyring;
  readonly canaryJwk: CanaryJwk;
  /** Every secret of the keyring under test (the canary's `d` last). */
  readonly canaries: readonly string[];
  readonly sealedBy: OracleInput["sealedBy"];
  seal<K extends SealedKind>(role: Role, kind: K, doc: DocumentsByKind[K]): Promise<string>;
  artifactSeal(role: Role, bytes: Uint8Array): Promise<string>;
}

/**
 * The contract's sealedBy at signature level: the kid names a key, and that key's algorithm
 * verifies the signature. Deliberately blind to typ and payload, so a gate key signing something
 * odd is still recognised as a gate seal.
 */
export function signatureVerifier(keyring: Keyring): OracleInput["sealedBy"] {
  // Only the named key is ever tried: nothing is left for "every other key".
  return async (jws, scope = "any") => {
    if (scope === "others") return undefined;
    const parts = jws.split(".");
    if (parts.length !== 3) return undefined;
    const [protectedPart = "", payload = "", signature = ""] = parts;
    let kid: unknown;
    try {
      kid = (JSON.parse(Buffer.from(protectedPart, "base64url").toString("utf8")) as { kid?: unknown }).kid;
    } catch {
      return undefined;
    }
    const key = typeof kid === "string" ? keyring.get(kid) : undefined;
    if (key === undefined) return undefined;
    try {
      await flattenedVerify({ protected: protectedPart, payload, signature }, key.verifyKey, {
        algorithms: [key.alg],
      });
      return key.role;
    } catch {
      return undefined;
    }
  };
}

export async function makeOracleFixture(): Promise<OracleFixture> {
  const keys = await makeKeyring();
  const canaryJwk = plantCanaryKey();
  const privateSet = combinedPrivateSet(keys.generated);
  const canarySet = { keys: [canaryJwk] };
  const keyring = await loadKeyringFromSources(
    [sourceOf(privateSet, "memory:private"), sourceOf(canarySet, "memory:canary")],
    { testMode: false },
  );
  return {
    keys,
    keyring,
    canaryJwk,
    canaries: canariesFromJwks([privateSet, canarySet]),
    sealedBy: signatureVerifier(keyring),
    seal: (role, kind, doc) => sealDocument(keys.signer(role), kind, doc),
    artifactSeal: (role, bytes) => sealArtifact(keys.signer(role), bytes),
  };
}

export function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "utf8"));
}

export function probe(
  role: ProbeRole,
  operation: Operation = "decide",
  bytes: Uint8Array = utf8("{}"),
): Probe {
  return {
    family: role === "attack" ? "P99" : "C-TEST",
    operation,
    role,
    bytes,
    seed: 1,
    description: "hand-made probe",
    rule: role === "attack" ? "R3: duplicate member selected" : "F5",
  };
}

export function channels(partial: Partial<SideChannels> = {}): SideChannels {
  return { stdout: "", stderr: "", files: new Map(), rows: [], ...partial };
}

export function responded(
  body: Uint8Array | string,
  options: { status?: number; headers?: Record<string, string>; channels?: Partial<SideChannels> } = {},
): Outcome {
  const base = {
    kind: "responded" as const,
    elapsedMs: 3,
    headers: options.headers ?? { "content-type": "application/json" },
    body: typeof body === "string" ? utf8(body) : body,
    channels: channels(options.channels),
  };
  return options.status === undefined ? base : { ...base, status: options.status };
}

export function verdictBody(doc: DocumentsByKind["verdict"]): Uint8Array {
  return encodeDocument("verdict", doc);
}

export function resultBody(doc: DocumentsByKind["rehearsal-result"]): Uint8Array {
  return encodeDocument("rehearsal-result", doc);
}

export const DENY_BODY = '{"kind":"verdict","v":1,"verdict":"DENY","reasons":["seal_invalid"]}';

/**
 * An oracle input as the judging path builds it: the answer decoded once (oracleInput), the
 * request expected as its probe's role unless said otherwise (a setup step, a race copy).
 */
export function input(
  fixture: Pick<OracleFixture, "canaries" | "sealedBy"> | undefined,
  theProbe: Probe,
  outcome: Outcome,
  extra: Partial<Pick<OracleInput, "before" | "after" | "expectation" | "step" | "race">> = {},
): OracleInput {
  return oracleInput({
    probe: theProbe,
    expectation: theProbe.role,
    outcome,
    ...extra,
    canaries: fixture?.canaries ?? [],
    sealedBy: fixture?.sealedBy ?? (() => Promise.resolve(undefined)),
  });
}
