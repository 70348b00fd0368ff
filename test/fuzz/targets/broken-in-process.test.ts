/** Every broken fixture misbehaves as designed when called in process (T1). */
import { describeBrokenTargets, describeCorrectBaseline } from "./broken-cases.js";

describeCorrectBaseline("in-process");
describeBrokenTargets("in-process");
