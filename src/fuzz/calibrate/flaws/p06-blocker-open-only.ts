/**
 * P06's second flawed blocker check: a deny list. Only a blocker whose status is OPEN stands in the
 * way, as if the other statuses were steps towards closed; NARROWED, CLASSIFIED and
 * PARTIALLY_DISCHARGED blockers then let an irreversible action through (G3: only DISCHARGED is
 * closed).
 */
import type { BlockerOpen } from "../../../lane/index.js";

export const blockerOpenOnly: BlockerOpen = (blocker) => blocker.status === "OPEN";
