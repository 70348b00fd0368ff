/**
 * The reference lane in process: the fuzzer's default target. A real gate (its ledger on PGlite
 * in memory) and a real rehearsal lane on a seeded PGlite clone, each holding only its share of
 * the keyring under test (keyring-split.ts), fired at through library calls (T1). With `server`
 * (`run --database-url`) the clone and the gate's ledger are on that PostgreSQL server instead.
 *
 * Generations: the target starts in `workDir/reference-XXXX/gen-1` and every restart (asked for,
 * or after a probe that did not answer in time) opens `gen-2`, `gen-3`, ... with a fresh copy of
 * the seeded clone, a fresh evidence directory and a fresh gate. The gate's ledger lives in
 * memory, so A RESTART FORGETS EVERY CONSUMED NONCE AND THE AUDIT LOG: a grant spent before a
 * restart is spendable again after it (on a server, the ledger outlives the generations). State snapshots (F3) and replay sequences (P04) are only
 * meaningful within one generation; the clone digest is the same in every generation.
 *
 * With `transports` (the default run), every generation is also served over HTTP (T2) and JSON
 * lines (T3), and each probe goes over the transport its bytes pick, a refused gate request also
 * over the other two (transport-answer.ts): one gate, one ledger, one clone behind all three.
 *
 * The gate and the lane share no state: state("decide") reads the ledger's consumed count
 * (queried again only after the database said the table changed, consumed-watch.ts),
 * state("rehearse") the clone's digest (and the production sentinel's), and each operation's
 * requests are handed only its own side channels. So decisions (several at once) run beside a
 * rehearsal, and F3's lock is kept per operation (stateByOperation). A snapshot is read once per
 * change of state (snapshot-reuse.ts): the one after a probe is the one before the next.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "../../kernel/clock.js";
import {
  openLane,
  type Lane,
  loadKeyringFromSources,
  requireSigner,
  type Keyring,
  type KeyringSource,
  openGateService,
  type GateService,
  classifyWrittenRehearsal,
  type Service,
} from "../../lane/index.js";
import type { GateComponents, LaneComponents, LaneConfig } from "../../lane/index.js";
import type { Operation, Target } from "../types.js";
import { openFaultDrills, type FaultDrillEnv } from "../faults/drills.js";
import type { KeyringLoader } from "../faults/start-drill.js";
import { watchAudit } from "./audit-watch.js";
import { watchConsumed } from "./consumed-watch.js";
import { watchEvidence } from "./evidence-watch.js";
import { noticeLog, type NoticeLog } from "./lane-notices.js";
import { openInProcessTarget, type InProcessSystem } from "./in-process.js";
import { splitKeyring } from "./keyring-split.js";
import { rehearseOnVariant } from "./reference-variant.js";
import { createServerClone, type ServerClone } from "./server-clone.js";
import { reuseSnapshots } from "./snapshot-reuse.js";
import { copyClone, createTemplateClone } from "./reference-clone.js";
import { serveOverTransports, type ServedSystem, type TransportWraps } from "./served.js";
import { answerOverTransports } from "./transport-answer.js";

export interface ReferenceTargetOptions {
  /** The keyring under test: JWK Sets holding every role's private key, plus any canary keys. */
  readonly keyringSources: readonly KeyringSource[];
  readonly clock: Clock;
  /** A directory the target may create its own subdirectory in (removed again on close). */
  readonly workDir: string;
  /** The reference lane runs on test keyrings only (S7). */
  readonly testMode: true;
  /** Which gate key seals permits, when the keyring holds several gate private keys. */
  readonly gateKid?: string;
  /** Which rehearsal key seals evidence, when the keyring holds several. */
  readonly rehearsalKid?: string;
  /** The lane's statement timeout on the clone (default 10 s). */
  readonly statementTimeoutMs?: number;
  /**
   * Parts of the gate or the lane swapped for flawed ones, in every generation and every clone
   * variant, for tests that prove the fuzzer catches a flawed component; the command line passes none.
   */
  readonly components?: ReferenceComponents;
  /**
   * An admin connection to a real PostgreSQL server: the lane's clone, a production sentinel and
   * the gate's ledger are made there for the run, instead of on embedded PGlite.
   */
  readonly server?: string;
  /**
   * Lower-case letters and digits put into the names made on `server`, so that a caller sharing
   * the server with other runs (a test among parallel tests) can tell its own objects apart.
   */
  readonly serverNameTag?: string;
  /**
   * Serve every generation over HTTP and JSON lines too and fire over all three transports
   * (transport-answer.ts); default in process only (T1).
   */
  readonly transports?: boolean;
}

export interface ReferenceComponents {
  readonly gate?: Partial<GateComponents>;
  readonly lane?: Partial<LaneComponents>;
  /** Flawed transport layers (with `transports`): the HTTP or JSON-lines server's service wrapped. */
  readonly transports?: TransportWraps;
  /** A flawed keyring loader, used where the fault drills start a gate or lane (faults/start-drill.ts). */
  readonly loadKeyring?: KeyringLoader;
}

const OPERATIONS: readonly Operation[] = ["decide", "rehearse"];

/**
 * Requests answered at once, per operation: the gate decides several together (its ledger commits
 * their audit rows as one group, and its signatures are checked on the thread pool), as many as a
 * default run keeps in flight; the lane has one clone and rehearses one migration at a time.
 */
const IN_FLIGHT: Readonly<Record<Operation, number>> = { decide: 4, rehearse: 1 };

const NO_FILES: ReadonlyMap<string, Uint8Array> = new Map();

/** The ledger's pool on a server: at least the most copies a race fires at once (replay-plan.ts). */
const RACE_CONNECTIONS = 32;

/** The production identities the reference lane refuses (C1); PGlite's own database is "postgres". */
const PRODUCTION = [{ database: "production" }] as const;

interface Shares {
  readonly gate: Keyring;
  readonly lane: Keyring;
}

async function loadShares(sources: readonly KeyringSource[]): Promise<Shares & { operator: Keyring }> {
  // Loading the whole keyring once is what validates it, with the errors a user would see.
  await loadKeyringFromSources(sources, { testMode: true });
  const split = splitKeyring(sources);
  const load = (part: readonly KeyringSource[]): Promise<Keyring> =>
    loadKeyringFromSources(part, { testMode: true });
  return { gate: await load(split.gate), lane: await load(split.lane), operator: await load(split.operator) };
}

async function closeQuietly(...closers: Array<(() => Promise<void>) | undefined>): Promise<void> {
  for (const close of closers) await close?.().catch(() => undefined);
}

export async function openReferenceTarget(options: ReferenceTargetOptions): Promise<Target> {
  const shares = await loadShares(options.keyringSources);
  const operatorKey = requireSigner(shares.operator, "operator");
  await mkdir(options.workDir, { recursive: true });
  const root = await mkdtemp(join(options.workDir, "reference-"));
  const template = join(root, "template");
  let generation = 0;
  let server: ServerClone | undefined;

  async function openGeneration(): Promise<InProcessSystem> {
    generation += 1;
    const dir = join(root, `gen-${generation}`);
    const evidenceDir = join(dir, "evidence");
    const cloneDir = join(dir, "clone");
    await mkdir(evidenceDir, { recursive: true });
    const config: LaneConfig = {
      clone:
        server === undefined
          ? { engine: "pglite", dataDir: cloneDir }
          : { engine: "postgres", url: server.cloneUrl },
      production: server === undefined ? PRODUCTION : [...PRODUCTION, { database: server.sentinel }],
      keyring: [],
      ...(options.rehearsalKid === undefined ? {} : { rehearsalKid: options.rehearsalKid }),
      evidenceDir,
      statementTimeoutMs: options.statementTimeoutMs ?? 10_000,
      // A shared server sees other sessions create databases and roles: only a private one could
      // compare the cluster digest.
      compareCluster: server === undefined,
    };
    let gate: GateService | undefined;
    let lane: Lane | undefined;
    let served: ServedSystem | undefined;
    const laneNotices = noticeLog();
    try {
      [gate] = await Promise.all([
        openGateService({
          keyring: shares.gate,
          // On a server, one connection per copy of the widest race (P04): concurrent spends of
          // one grant really run at once there, as they would against a deployed gate.
          database:
            server === undefined
              ? { engine: "pglite" }
              : { engine: "postgres", url: server.ledgerUrl, maxConnections: RACE_CONNECTIONS },
          clock: options.clock,
          ...(options.gateKid === undefined ? {} : { gateKid: options.gateKid }),
          ...(options.components?.gate === undefined ? {} : { components: options.components.gate }),
        }),
        server === undefined ? copyClone(template, cloneDir) : Promise.resolve(),
      ]);
      lane = await openLane(config, {
        testMode: true,
        keyring: shares.lane,
        clock: options.clock,
        notice: laneNotices.notice,
        ...(options.components?.lane === undefined ? {} : { components: options.components.lane }),
      });
      const sentinel = server?.sentinelDigest.bind(server);
      served =
        options.transports === true
          ? await serveOverTransports(serviceOf(gate, lane), options.components?.transports)
          : undefined;
      return await systemOf(gate, lane, evidenceDir, dir, laneNotices, sentinel, served);
    } catch (error) {
      const [openedGate, openedLane, openedServers] = [gate, lane, served];
      await closeQuietly(
        openedServers === undefined ? undefined : () => openedServers.close(),
        openedGate === undefined ? undefined : () => openedGate.close(),
        openedLane === undefined ? undefined : () => openedLane.close(),
      );
      throw error;
    }
  }

  try {
    await createTemplateClone(template, operatorKey, options.clock.now());
    if (options.server !== undefined)
      server = await createServerClone(
        options.server,
        operatorKey,
        options.clock.now(),
        options.serverNameTag,
      );
    const target = await openInProcessTarget({
      name: "reference",
      operations: OPERATIONS,
      open: openGeneration,
      inFlight: IN_FLIGHT,
    });
    let variants = 0;
    const drills = openFaultDrills(faultDrillEnv(options, shares, template, join(root, "drills")));
    // Only this target's own calls change its state: F3's snapshots are read once per change.
    const reused = reuseSnapshots({
      ...target,
      fireOnClone(setup, bytes, timeoutMs) {
        variants += 1;
        return rehearseOnVariant(
          {
            template,
            dir: join(root, `variant-${variants}`),
            laneKeyring: shares.lane,
            clock: options.clock,
            ...(options.rehearsalKid === undefined ? {} : { rehearsalKid: options.rehearsalKid }),
            production: PRODUCTION,
            ...(options.components?.lane === undefined ? {} : { components: options.components.lane }),
          },
          setup,
          bytes,
          timeoutMs,
        );
      },
      async close() {
        await drills.close();
        await target.close();
        await server?.drop();
        await rm(root, { recursive: true, force: true });
      },
    });
    // The drills' components are their own: firing under a fault changes none of this state.
    return {
      ...reused,
      fireUnderFault: (fault, operation, bytes, timeoutMs) => drills.fire(fault, operation, bytes, timeoutMs),
    };
  } catch (error) {
    await server?.drop().catch(() => undefined);
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** The fault drills' components: the same keys, clock, template clone and flawed parts as every generation. */
function faultDrillEnv(
  options: ReferenceTargetOptions,
  shares: Shares,
  template: string,
  dir: string,
): FaultDrillEnv {
  const split = splitKeyring(options.keyringSources);
  const gate = options.components?.gate;
  const lane = options.components?.lane;
  return {
    dir,
    gate: {
      keyring: shares.gate,
      clock: options.clock,
      ...(options.gateKid === undefined ? {} : { gateKid: options.gateKid }),
      ...(gate === undefined ? {} : { components: gate }),
    },
    lane: {
      template,
      keyring: shares.lane,
      clock: options.clock,
      ...(options.rehearsalKid === undefined ? {} : { rehearsalKid: options.rehearsalKid }),
      production: PRODUCTION,
      ...(lane === undefined ? {} : { components: lane }),
    },
    start: {
      shares: { gate: split.gate, lane: split.lane },
      clock: options.clock,
      ...(gate === undefined ? {} : { gateComponents: gate }),
      ...(lane === undefined ? {} : { laneComponents: lane }),
      ...(options.components?.loadKeyring === undefined
        ? {}
        : { loadKeyring: options.components.loadKeyring }),
    },
  };
}

/** The generation as `failclosed serve` serves it: the gate and the lane behind one service. */
function serviceOf(gate: GateService, lane: Lane): Service {
  return {
    decide: (body) => gate.decide(body),
    async rehearse(body) {
      const { bytes } = await lane.rehearse(body);
      return { bytes, class: classifyWrittenRehearsal(bytes) };
    },
    health: () => gate.health(),
    // The generation closes its gate and lane itself (systemOf).
    close: () => Promise.resolve(),
  };
}

async function systemOf(
  gate: GateService,
  lane: Lane,
  evidenceDir: string,
  dir: string,
  laneNotices: NoticeLog,
  sentinelDigest?: () => Promise<string>,
  served?: ServedSystem,
): Promise<InProcessSystem> {
  const evidence = await watchEvidence(evidenceDir);
  const audit = await watchAudit(gate.ledger);
  const consumed = await watchConsumed(gate.db, gate.ledger);
  return {
    async answer(operation, bytes, firing) {
      if (served !== undefined) return answerOverTransports(served, operation, bytes, firing);
      switch (operation) {
        case "decide":
          return (await gate.decide(bytes)).bytes;
        case "rehearse":
          return (await lane.rehearse(bytes)).bytes;
      }
    },
    // Each operation's own channels only: the gate appends audit rows and writes no file, the lane
    // writes evidence and no audit row, so a decision and a rehearsal in flight together are each
    // handed what they made (in-process.ts, `inFlight`).
    async channels(operation) {
      switch (operation) {
        case "decide":
          return { stdout: "", stderr: "", files: NO_FILES, rows: await audit.appended() };
        case "rehearse":
          return { stdout: "", stderr: laneNotices.take(), files: await evidence.changes(), rows: [] };
      }
    },
    async state(operation) {
      switch (operation) {
        case "decide":
          return { consumedNonces: await consumed.count() };
        case "rehearse": {
          // The lane holds no handle on the gate's ledger (its own database, its own key share):
          // a rehearsal cannot consume a nonce, and a gate control spending one beside it must
          // not read as the rehearsal's change (Target.stateByOperation).
          const cloneDigest = await lane.cloneDigest();
          return sentinelDigest === undefined
            ? { cloneDigest }
            : { cloneDigest, sentinelDigest: await sentinelDigest() };
        }
      }
    },
    async close() {
      await closeQuietly(
        served === undefined ? undefined : () => served.close(),
        () => gate.close(),
        () => lane.close(),
      );
      // An old generation's clone and evidence are of no further use; the channels kept its bytes.
      await rm(dir, { recursive: true, force: true });
    },
  };
}
