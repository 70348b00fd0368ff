import { clusterWide } from "./cluster-wide.js";
import { hidden, ruleAction } from "./hidden.js";
import { laneSession } from "./lane-session.js";
import { metaCommand } from "./meta-command.js";
import { nonTransactional } from "./non-transactional.js";
import { opaqueCode } from "./opaque-code.js";
import { sequence } from "./sequence.js";
import { sessionState } from "./session-state.js";
import { sideChannel } from "./side-channel.js";
import { spelled } from "./spelled.js";
import { transactionControl } from "./transaction-control.js";
import { unicodeEscaped } from "./unicode.js";

/** P08's escape tables by name; a family lists the ones it draws from, in order. */
export const SQL_ESCAPES = {
  transactionControl,
  nonTransactional,
  clusterWide,
  sideChannel,
  sessionState,
  opaqueCode,
  metaCommand,
  sequence,
  hidden,
  ruleAction,
  spelled,
  unicodeEscaped,
  laneSession,
};
