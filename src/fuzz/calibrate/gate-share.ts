/**
 * The reference gate as a transport serves it (`failclosed serve`): its share of the keyring under
 * test only (never the owner's private key), its ledger on PGlite in memory, the run's fixed clock.
 */
import { fixedClock } from "../../kernel/clock.js";
import { loadKeyringFromSources, openGateService, type GateService } from "../../lane/index.js";
import type { KeyringUnderTest } from "../keyring/under-test.js";
import { splitKeyring } from "../targets/keyring-split.js";

export async function openGateShare(kut: KeyringUnderTest, now: number): Promise<GateService> {
  const keyring = await loadKeyringFromSources(splitKeyring(kut.sources).gate, { testMode: true });
  return openGateService({
    keyring,
    database: { engine: "pglite" },
    clock: fixedClock(now),
    gateKid: kut.kids.gate,
  });
}
