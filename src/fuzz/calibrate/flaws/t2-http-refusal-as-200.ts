/**
 * A flawed HTTP layer (T2): the handler answers 200 for every verdict it decided and keeps error
 * statuses for failures ("the request was handled"), so a DENY or a HOLD goes out as 200 OK. The
 * body still says DENY; a client, proxy or CI step that trusts the status (`curl --fail`,
 * `response.ok`) proceeds as if allowed. T2: 403 for DENY, 423 for HOLD.
 */
import type { Service } from "../../../lane/index.js";

export function refusalAs200(service: Service): Service {
  return {
    decide: async (body) => {
      const answer = await service.decide(body);
      return answer.class === "deny" || answer.class === "hold" ? { ...answer, class: "allow" } : answer;
    },
    rehearse: (body) => service.rehearse(body),
    health: () => service.health(),
    close: () => service.close(),
  };
}
