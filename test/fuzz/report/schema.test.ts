import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { SCHEMA_DIR } from "../../../src/kernel/paths.js";
import { isNonce, isUtcTimestamp } from "../../../src/lane/codec/formats.js";
import { loadHistory, readReport, validateFinding, validateReport } from "../../../src/fuzz/report/index.js";
import { family, finding, report, tempDir, withFamily } from "./fixtures.js";

const realistic = withFamily(
  report({ shard: { index: 1, total: 2 } }),
  family("P02", {
    status: { kind: "finding" },
    findings: [finding(), finding({ id: "P02-fedcba9876543210", path: undefined, confirmation: "flaky" })],
  }),
);

const DELETE = Symbol("delete");
type Path = readonly (string | number)[];

/** A deep copy with the member at path set to value (or deleted), for the negative cases. */
function mutated(path: Path, value: unknown): unknown {
  const doc = JSON.parse(JSON.stringify(realistic)) as unknown;
  let node = doc as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path[path.length - 1] ?? "";
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return doc;
}

describe("report schema", () => {
  it("accepts a realistic report, with a shard, findings and an inconclusive family", () => {
    const inconclusive = withFamily(
      realistic,
      family("P07", { status: { kind: "inconclusive", why: "target unreachable" } }),
    );
    expect(validateReport(realistic)).toEqual({ ok: true, value: realistic });
    expect(validateReport(inconclusive).ok).toBe(true);
    expect(validateReport(JSON.parse(JSON.stringify(realistic))).ok).toBe(true);
  });

  it.each<[string, Path]>([
    ["a top-level member", ["extra"]],
    ["a totals member", ["totals", "skipped"]],
    ["a versions member", ["versions", "os"]],
    ["a shard member", ["shard", "seed"]],
    ["a family member", ["families", 0, "passed"]],
    ["a status member", ["families", 0, "status", "why"]],
    ["a finding member", ["families", 1, "findings", 0, "secret"]],
  ])("rejects an extra member: %s", (_what, path) => {
    const result = validateReport(mutated(path, "x"));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/additional properties/);
  });

  it.each<[string, Path, unknown]>([
    ["kind", ["kind"], "report"],
    ["v", ["v"], 2],
    ["runs as a string", ["families", 0, "runs"], "500"],
    ["a fractional seed", ["seed"], 1.5],
    ["negative probes", ["totals", "probes"], -1],
    ["canary", ["canary"], "dirty"],
    ["interrupted as a string", ["interrupted"], "false"],
    ["a status kind", ["families", 0, "status"], { kind: "passed" }],
    ["inconclusive without why", ["families", 0, "status"], { kind: "inconclusive" }],
    ["role", ["families", 0, "role"], "admin"],
    ["a missing member", ["totals"], DELETE],
    ["a missing finding member", ["families", 1, "findings", 0, "bytesB64"], DELETE],
    ["a runId that leaves its directory", ["runId"], "../etc"],
    ["a finding id that leaves findings/", ["families", 1, "findings", 0, "id"], "a/b"],
    ["bytes that are not base64", ["families", 1, "findings", 0, "bytesB64"], "a-b_"],
    ["a timestamp with an offset", ["startedAt"], "2025-11-24T03:15:00+01:00"],
    ["a shard index above its total", ["shard"], { index: 3, total: 2 }],
    ["a family listed twice", ["families", 11], realistic.families[0]],
    ["an impossible date", ["finishedAt"], "2025-13-45T03:15:00Z"],
  ])("rejects a wrong value: %s", (_what, path, value) => {
    expect(validateReport(mutated(path, value)).ok).toBe(false);
  });

  it("requires exactly the members the TypeScript types make mandatory", () => {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, "report.schema.json"), "utf8")) as {
      required: string[];
      definitions: Record<string, { required: string[] }>;
    };
    const sorted = (keys: string[]): string[] => [...keys].sort();
    const r = report();
    expect(sorted(schema.required)).toEqual(sorted(Object.keys(r)));
    expect(sorted(schema.definitions["family_result"]?.required ?? [])).toEqual(
      sorted(Object.keys(family("P01")).filter((key) => key !== "firstProbeMs")),
    );
    const { path: _optional, ...mandatory } = finding();
    expect(sorted(schema.definitions["finding"]?.required ?? [])).toEqual(sorted(Object.keys(mandatory)));
  });

  it("validates a finding on its own", () => {
    expect(validateFinding(finding()).ok).toBe(true);
    expect(validateFinding({ ...finding(), confirmation: "maybe" }).ok).toBe(false);
  });

  it("compiles under the lane codec's ajv set-up too (should it join CONFIG_SCHEMAS)", () => {
    const ajv = new Ajv({ strict: true, allErrors: false, allowUnionTypes: false, strictRequired: false });
    ajv.addFormat("utc-timestamp", { type: "string", validate: isUtcTimestamp });
    ajv.addFormat("nonce", { type: "string", validate: isNonce });
    ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, "common.schema.json"), "utf8")) as object);
    const validate = ajv.compile(
      JSON.parse(readFileSync(join(SCHEMA_DIR, "report.schema.json"), "utf8")) as object,
    );
    expect(validate(realistic)).toBe(true);
  });
});

describe("readReport", () => {
  it("reads a valid report file", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "report.json"), JSON.stringify(realistic));
    expect(await readReport(join(dir, "report.json"))).toEqual(realistic);
  });

  it.each([
    ["bad JSON", "{", /not valid JSON/],
    ["a BOM", `\ufeff${JSON.stringify(report())}`, /not valid JSON/],
    [
      "a duplicate member",
      JSON.stringify(report()).replace('"canary":"clean"', '"canary":"hit","canary":"clean"'),
      /canary.*twice/,
    ],
    [
      "a duplicate nested member",
      JSON.stringify(report()).replace('"runs":500', '"runs":1,"runs":500'),
      /runs.*twice/,
    ],
    ["an extra member", JSON.stringify({ ...report(), x: 1 }), /not a failclosed report/],
  ])("refuses %s with DOCUMENT_INVALID", async (_what, text, message) => {
    const dir = await tempDir();
    await writeFile(join(dir, "report.json"), text);
    await expect(readReport(join(dir, "report.json"))).rejects.toMatchObject({
      code: "DOCUMENT_INVALID",
      message,
    });
  });

  it("keeps duplicate-looking text inside strings", async () => {
    const dir = await tempDir();
    const tricky = report({ target: 'x", "canary": "hit' });
    await writeFile(join(dir, "report.json"), JSON.stringify(tricky));
    expect((await readReport(join(dir, "report.json"))).target).toBe(tricky.target);
  });

  it("refuses invalid UTF-8 and a missing file with their codes", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "report.json"), Buffer.from([0x7b, 0xff, 0x7d]));
    await expect(readReport(join(dir, "report.json"))).rejects.toMatchObject({ code: "DOCUMENT_INVALID" });
    await expect(readReport(join(dir, "nope.json"))).rejects.toMatchObject({ code: "FILE_UNREADABLE" });
  });
});

describe("loadHistory", () => {
  it("reads earlier reports oldest first and skips unreadable ones with a warning", async () => {
    const root = await tempDir();
    const put = async (name: string, text: string): Promise<void> => {
      await mkdir(join(root, name), { recursive: true });
      await writeFile(join(root, name, "report.json"), text);
    };
    await put("b", JSON.stringify(report({ runId: "b", startedAt: "2025-11-20T00:00:00Z" })));
    await put("a", JSON.stringify(report({ runId: "a", startedAt: "2025-11-22T00:00:00Z" })));
    await put("c", JSON.stringify(report({ runId: "c", startedAt: "2025-11-21T00:00:00.5Z" })));
    await put("broken", "{ nope");
    await mkdir(join(root, "in-progress"));
    await writeFile(join(root, "README.md"), "reports");
    const warnings: string[] = [];
    const history = await loadHistory(root, (message) => warnings.push(message));
    expect(history.map((r) => r.runId)).toEqual(["b", "c", "a"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/broken.*not valid JSON/);
  });

  it("treats a missing reports directory as no history", async () => {
    const warnings: string[] = [];
    expect(await loadHistory(join(await tempDir(), "none"), (m) => warnings.push(m))).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
