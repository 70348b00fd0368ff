/**
 * P05's second flawed option check: two states instead of a ladder. A gate written when a packet
 * either held production or authorised it keeps asking "is it not HOLD_PRODUCTION?", so a packet
 * that authorises only a dry run authorises a cutover too (G2: a weaker option never implies a
 * stronger one).
 */
import type { OptionPermits } from "../../../lane/index.js";

export const anyAuthorisingOption: OptionPermits = (selected) => selected !== "HOLD_PRODUCTION";
