/**
 * The sealed documents of a fully authorised request that P02 can forge ("slots"), and what the
 * contract says of each: which role seals it (S1), its typ (S4), which grants an action carries.
 */
import type { Action, Role, SealType } from "../../../lane/index.js";
import { grantsNeeded, sealedBy } from "../../contract/contract.js";

/** Which sealed document of the request a forgery replaces. */
export type Slot = "packet" | "grant-0" | "grant-1" | "evidence";
export type SlotKind = "decision-packet" | "grant" | "evidence";

export function slotsOf(action: Action): Slot[] {
  const slots: Slot[] = ["packet", "grant-0"];
  if (grantsNeeded(action).length === 2) slots.push("grant-1");
  if (action === "QT001_APPLY") slots.push("evidence");
  return slots;
}

export function kindOf(slot: Slot): SlotKind {
  if (slot === "packet") return "decision-packet";
  return slot === "evidence" ? "evidence" : "grant";
}

/** S1, from the fuzzer's contract: the one role that may seal each kind. */
export function sealerOf(kind: SlotKind): Role {
  return sealedBy(typOf(kind))[0] ?? "owner";
}

export function typOf(kind: SlotKind): SealType {
  return `${kind}+jws`;
}

export function slotName(slot: Slot, action: Action): string {
  switch (slot) {
    case "packet":
      return "packet seal";
    case "evidence":
      return "evidence seal";
    case "grant-0":
    case "grant-1":
      return `${grantsNeeded(action)[slot === "grant-0" ? 0 : 1] ?? "?"} grant seal`;
  }
}
