import { formatRows, measurePair, type BenchRow, type BenchSuite } from "./harness.js";

// Each suite lives in its own file; add it here. `npm run bench -- NAME` runs only suites whose
// name contains NAME.
const SUITES: Array<() => Promise<{ suite: BenchSuite }>> = [
  () => import("./codec.bench.js"),
  () => import("./seal.bench.js"),
  () => import("./tree.bench.js"),
  () => import("./ledger.bench.js"),
  () => import("./gate.bench.js"),
  () => import("./classify.bench.js"),
  () => import("./digest.bench.js"),
  () => import("./rehearsal.bench.js"),
  () => import("./engine.bench.js"),
];

async function main(): Promise<void> {
  const filter = process.argv[2];
  const rows: BenchRow[] = [];
  for (const load of SUITES) {
    const { suite } = await load();
    if (filter !== undefined && !suite.name.includes(filter)) continue;
    process.stderr.write(`bench: ${suite.name}\n`);
    for (const pair of await suite.pairs()) rows.push(await measurePair(pair));
    await suite.teardown?.();
  }
  process.stdout.write(
    `node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString()}\n\n${formatRows(rows)}\n`,
  );
}

await main();
