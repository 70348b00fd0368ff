/**
 * P02's second flawed seal check: the key is looked up by kid and its signature checked strictly,
 * but its role is never compared with the document's (S1), the way a JWKS is often used as a flat
 * list of "our keys". Modelled by handing the shipped verifier a keyring in which every key has the
 * role the document asks for: a packet or grant sealed by the gate's, the operator's or the
 * rehearsal lane's key then passes for the owner's.
 */
import {
  SHIPPED_GATE_COMPONENTS,
  SEALING_ROLES,
  type Keyring,
  type KeyEntry,
  type SealType,
  type VerifySeal,
} from "../../../lane/index.js";

function roleBlind(keyring: Keyring, typ: SealType): Keyring {
  const role = SEALING_ROLES[typ][0];
  if (role === undefined) return keyring;
  return new Map([...keyring].map(([kid, key]): [string, KeyEntry] => [kid, { ...key, role }]));
}

export const roleBlindKeyring: VerifySeal = (keyring, kind, jws) =>
  SHIPPED_GATE_COMPONENTS.verifySeal(roleBlind(keyring, `${kind}+jws` as SealType), kind, jws);
