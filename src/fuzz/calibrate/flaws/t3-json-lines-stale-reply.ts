/**
 * A flawed JSON-lines framing (T3): the reply buffer is filled on the success path only. A line the
 * gate allows is answered and its answer kept in the buffer; a refusal's line is answered from the
 * buffer as it stands, which is the previous request's answer: after an ALLOW, the next refused
 * request receives that ALLOW and its permit (F1, G7).
 */
import type { Answer, Service } from "../../../lane/index.js";

export function staleReply(service: Service): Service {
  let buffer: Answer | undefined;
  return {
    decide: async (body) => {
      const answer = await service.decide(body);
      if (answer.class === "allow") buffer = answer;
      // The flaw: a refusal writes the buffer when it holds anything.
      return answer.class === "allow" ? answer : (buffer ?? answer);
    },
    rehearse: (body) => service.rehearse(body),
    health: () => service.health(),
    close: () => service.close(),
  };
}
