/** Every broken fixture misbehaves as designed behind the project's HTTP server (T2). */
import { describeBrokenTargets } from "./broken-cases.js";

describeBrokenTargets("http");
