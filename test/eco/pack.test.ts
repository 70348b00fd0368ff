/**
 * What `npm pack` ships, checked as a user meets it: the tarball unpacked as
 * node_modules/failclosed of an empty project (its dependencies linked from this checkout), then
 * the subpath imported by Node and the types checked by tsc through package.json's exports.
 * Needs a build (npm test builds first).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(".");
let project: string;
let files: string[];

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "failclosed-pack-"));
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", project], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (packed === undefined) throw new Error("npm pack printed nothing");
  files = packed.files.map((file) => file.path);
  const modules = join(project, "node_modules");
  await mkdir(join(modules, "failclosed"), { recursive: true });
  await run("tar", [
    "xzf",
    join(project, packed.filename),
    "-C",
    join(modules, "failclosed"),
    "--strip-components=1",
  ]);
  // Every installed package but failclosed itself, as npm would have installed them.
  for (const name of await readdir(join(ROOT, "node_modules"))) {
    if (name.startsWith(".") || name === "failclosed") continue;
    await symlink(join(ROOT, "node_modules", name), join(modules, name));
  }
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "user-project", type: "module" }));
}, 120_000);

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("ships the build with its types, no bench, no tests and no source maps without sources", () => {
    expect(files).toContain("dist/src/index.js");
    expect(files).toContain("dist/src/index.d.ts");
    expect(files).toContain("dist/src/vitest/index.js");
    expect(files).toContain("dist/src/vitest/index.d.ts");
    expect(files).toContain("dist/src/cli/main.js");
    expect(files.filter((file) => file.startsWith("dist/probes/")).length).toBeGreaterThanOrEqual(12);
    expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);
    expect(files.filter((file) => /^(bench|dist\/bench|test|dist\/test|src)\//.test(file))).toEqual([]);
    expect(files).toContain("schemas/third-party/README.md");
  });

  it("the main entry loads in Node, and the subpath inside a user's own vitest run", async () => {
    const script =
      'const main = await import("failclosed"); console.log(typeof main.runFailclosed, typeof main.evaluateGate, typeof main.openGateService);';
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: project });
    expect(stdout.trim()).toBe("function function function");
    // failclosed/vitest registers tests, so it loads where vitest runs: in the user's suite.
    await writeFile(
      join(project, "subpath.test.js"),
      [
        'import { expect, it } from "vitest";',
        'import { assertFailsClosed, itFailsClosed, NotFailClosedError } from "failclosed/vitest";',
        'it("loads", () => {',
        "  expect([typeof assertFailsClosed, typeof itFailsClosed, typeof NotFailClosedError]).toEqual(['function', 'function', 'function']);",
        "});",
      ].join("\n"),
    );
    const vitest = join(ROOT, "node_modules", "vitest", "vitest.mjs");
    const result = await run(process.execPath, [vitest, "run", "subpath.test.js"], { cwd: project }).then(
      (ok) => ({ code: 0, out: ok.stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        out: error.stdout + error.stderr,
      }),
    );
    expect(result.out).toMatch(/1 passed/);
    expect(result.code).toBe(0);
  }, 120_000);

  it("the types resolve through the exports map (a wrong call is a type error, so they are not any)", async () => {
    await writeFile(
      join(project, "use.ts"),
      [
        'import { assertFailsClosed, type FailsClosedTarget } from "failclosed/vitest";',
        'import { evaluateGate, runFailclosed, type RunResult, RELEASE_FAMILIES } from "failclosed";',
        'const target: FailsClosedTarget = { http: "http://127.0.0.1:8080", keyring: ["k.json"] };',
        "export async function check(): Promise<number> {",
        "  const report = await assertFailsClosed(target, { only: ['P02'] });",
        "  const result: RunResult = await runFailclosed({ seed: report.seed });",
        "  // @ts-expect-error a port is not a target",
        "  await assertFailsClosed({ http: 8080 });",
        "  return evaluateGate([report], { families: RELEASE_FAMILIES }).closed + (result.kind === 'report' ? 1 : 0);",
        "}",
      ].join("\n"),
    );
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        files: ["use.ts"],
      }),
    );
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }).then(
      (ok) => ({ code: 0, out: ok.stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, out: error.stdout }),
    );
    expect(result.out).toBe("");
    expect(result.code).toBe(0);
  }, 120_000);
});
