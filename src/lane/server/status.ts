import { assertNever } from "../../kernel/result.js";
import type { AnswerClass } from "./service.js";

/** T2's status codes. */
export function httpStatus(answer: AnswerClass): number {
  switch (answer) {
    case "allow":
    case "pass":
      return 200;
    case "hold":
      return 423;
    case "deny":
    case "refused":
      return 403;
    case "fail":
      return 422;
    case "malformed":
      return 400;
    default:
      return assertNever(answer, "answer class");
  }
}
