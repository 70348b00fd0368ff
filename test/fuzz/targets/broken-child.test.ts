/** Every broken fixture misbehaves as designed as a JSON-lines child process (T3). */
import { describeBrokenTargets } from "./broken-cases.js";

describeBrokenTargets("child");
