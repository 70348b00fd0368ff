#!/usr/bin/env node
import { processIo, tolerateClosedReader } from "./io.js";
import { runCli } from "./run-cli.js";

// Before anything can write: a reader that leaves early must not kill a run (see io.ts).
tolerateClosedReader(process.stdout);
tolerateClosedReader(process.stderr);
process.exitCode = await runCli(process.argv.slice(2), processIo);
