/**
 * The bytes the fault drills fire (family.ts): each drill fires a refused attack or an
 * otherwise-valid control of the run's own vocabulary, so a fault is provoked with requests that
 * reach deep into the component (a control gets as far as the ledger's commit, a clean migration
 * as far as the evidence), and with attacks that try to make the error path echo something.
 */
import fc from "fast-check";
import { ACTIONS } from "../../lane/index.js";
import { authorizedParts, authorizedRequest, labelOf } from "../craft/authorized.js";
import { describeBase, packetBases, type PacketBase } from "../craft/bases.js";
import { entropy } from "../craft/entropy.js";
import { renderMutated } from "../craft/json-render.js";
import type { ProbeFamily } from "../types.js";
import {
  cleanMigrationValues,
  renderCleanMigration,
  type CleanMigrationValue,
} from "../vocab/clean-migrations.js";
import {
  LEAK_FLAWS,
  describeLeak,
  leakValues,
  renderLeakProbe,
  type LeakValue,
} from "../vocab/leaks/index.js";
import { SQL_ESCAPES } from "../vocab/sql/escapes/index.js";
import type { RollbackValue } from "../vocab/sql/rollback-value.js";
import { describeRollback, renderRollback, rollbackValues } from "../vocab/sql/rollback.js";

/** What a drill needs of a family that gives it bytes. */
export type ByteSource<V = unknown> = Pick<ProbeFamily<V>, "arbitrary" | "render" | "describe">;

export interface AuthorizedRequestValue {
  readonly entropy: number;
  readonly base: PacketBase;
  readonly action: (typeof ACTIONS)[number];
}

/** P10's leak attacks: requests built to make an error path echo a seal or a key. */
export const LEAK_ATTACKS: ByteSource<LeakValue> = {
  arbitrary: () => leakValues(LEAK_FLAWS),
  render: renderLeakProbe,
  describe: describeLeak,
};

/** C01's fully authorised requests: without the fault, each is allowed and commits to the ledger. */
export const AUTHORIZED_REQUESTS: ByteSource<AuthorizedRequestValue> = {
  arbitrary: (ctx) =>
    fc.record({ entropy: entropy(), base: packetBases(ctx), action: fc.constantFrom(...ACTIONS) }),
  render: async (value, ctx) =>
    renderMutated(
      await authorizedRequest(ctx, authorizedParts(ctx, labelOf(value), value.action, value.base)),
      [],
    ),
  describe: (value) => `fully authorised ${value.action} (${describeBase(value.base)})`,
};

/** P08's escapes the classifier refuses before anything runs, and sequences it lets run (FAIL). */
export const ESCAPING_MIGRATIONS: ByteSource<RollbackValue> = {
  arbitrary: () => rollbackValues({ escapes: [SQL_ESCAPES.transactionControl, SQL_ESCAPES.sequence] }),
  render: renderRollback,
  describe: describeRollback,
};

/** C02's clean migrations: without the fault, each rehearses to PASS and writes its evidence. */
export const CLEAN_MIGRATIONS: ByteSource<CleanMigrationValue> = {
  arbitrary: cleanMigrationValues,
  render: renderCleanMigration,
  describe: (value) => `clean ${value.mode} migration of ${value.rows} rows`,
};
