import type { SealType } from "../codec/documents.js";

export const ROLES = ["owner", "operator", "gate", "rehearsal"] as const;
export type Role = (typeof ROLES)[number];

/**
 * S1: which role's key may seal each document type. Artifacts (a migration approved for apply, a
 * report the lane writes) are sealed by the owner or by the rehearsal lane.
 */
export const SEALING_ROLES: Readonly<Record<SealType, readonly Role[]>> = {
  "decision-packet+jws": ["owner"],
  "grant+jws": ["owner"],
  "permit+jws": ["gate"],
  "evidence+jws": ["rehearsal"],
  "clone-marker+jws": ["operator"],
  "artifact+jws": ["owner", "rehearsal"],
};

export const SEAL_TYPE_NAMES = Object.keys(SEALING_ROLES) as SealType[];

export function isSealType(value: string): value is SealType {
  return (SEAL_TYPE_NAMES as string[]).includes(value);
}
