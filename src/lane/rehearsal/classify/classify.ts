import { hasSqlDetails, parse } from "libpg-query";
import { err, ok, type Result } from "../../../kernel/result.js";
import { isRecord, type ClassifiedMigration, type ClassifierRefusal, type Finding } from "./types.js";
import { nodeTypeOf, walkStatement } from "./walk.js";

export { CLASSIFIER_REFUSAL_CODES } from "./types.js";
export type { ClassifiedMigration, ClassifierRefusal, ClassifierRefusalCode } from "./types.js";

/** 1 MiB of UTF-8: far above any hand-written migration, far below what a parse tree can hold. */
export const MAX_MIGRATION_BYTES = 1024 * 1024;

/** SQL function bodies holding SQL function bodies…: past this depth we stop looking and refuse. */
const MAX_BODY_DEPTH = 4;

/**
 * SPEC C2: classify a migration with PostgreSQL 15's own parser before anything runs. Accepts it
 * only if every statement, and every node inside every statement, is on the allowlist of
 * transactional DDL and DML; otherwise returns the first refusal in text order. Never throws for
 * any input string, and never puts the migration's text in a refusal.
 */
export async function classifyMigration(
  sql: string,
): Promise<Result<ClassifiedMigration, ClassifierRefusal>> {
  const textProblem = checkText(sql);
  if (textProblem !== undefined) return err(textProblem);
  if (sql.trim() === "") return err({ code: "empty", message: "the migration holds no statement" });
  const parsed = await parseStatements(sql);
  if (!parsed.ok) return err(parsed.error);
  const { statements, parserVersion } = parsed.value;
  if (statements.length === 0) {
    return err({ code: "empty", message: "the migration holds only comments or empty statements" });
  }
  const statementTypes: string[] = [];
  for (const [index, statement] of statements.entries()) {
    const finding = await classifyStatement(statement.root, 0);
    if (finding !== undefined) {
      return err({
        code: finding.code,
        statementIndex: index,
        nodeType: finding.nodeType,
        message: finding.message,
      });
    }
    statementTypes.push(statement.type);
  }
  return ok({ statementCount: statements.length, statementTypes, parserVersion });
}

function checkText(sql: unknown): ClassifierRefusal | undefined {
  if (typeof sql !== "string") return { code: "invalid_text", message: "the migration is not a string" };
  // The length test first: every UTF-16 unit is at least one byte, so it bounds the byte count
  // without encoding a huge string.
  if (sql.length > MAX_MIGRATION_BYTES || Buffer.byteLength(sql, "utf8") > MAX_MIGRATION_BYTES) {
    return { code: "too_large", message: `the migration exceeds ${MAX_MIGRATION_BYTES} bytes of UTF-8` };
  }
  // The parser reads a C string: it would judge only the text before a NUL.
  if (sql.includes("\u0000"))
    return { code: "invalid_text", message: "the migration contains a NUL character" };
  // A lone surrogate has no UTF-8 form; the parser and the server would each guess differently.
  if (/[\uD800-\uDFFF]/u.test(sql)) {
    return { code: "invalid_text", message: "the migration contains a lone surrogate" };
  }
  return undefined;
}

interface ParsedStatement {
  readonly type: string;
  readonly root: unknown;
}

async function parseStatements(
  sql: string,
): Promise<Result<{ statements: ParsedStatement[]; parserVersion: number }, ClassifierRefusal>> {
  let tree: unknown;
  try {
    tree = await parse(sql);
  } catch (cause) {
    // The parser's message quotes the text near the error, so only the offset is kept.
    const where = hasSqlDetails(cause) ? ` near character ${cause.sqlDetails.cursorPosition}` : "";
    return err({
      code: "unparseable",
      message: `the PostgreSQL 15 parser rejects the text${where}; psql meta-commands (backslash lines) are not SQL`,
    });
  }
  const stmts = isRecord(tree) ? tree["stmts"] : undefined;
  const version = isRecord(tree) ? tree["version"] : undefined;
  if (!Array.isArray(stmts) || typeof version !== "number") {
    return err({ code: "unparseable", message: "the parser returned a tree of unexpected shape" });
  }
  const statements: ParsedStatement[] = [];
  for (const [index, entry] of stmts.entries()) {
    const root: unknown = isRecord(entry) ? entry["stmt"] : undefined;
    const type = isRecord(root) ? nodeTypeOf(root) : undefined;
    if (type === undefined) {
      return err({
        code: "unparseable",
        statementIndex: index,
        message: "the parser returned a statement of unexpected shape",
      });
    }
    statements.push({ type, root });
  }
  return ok({ statements, parserVersion: version });
}

async function classifyStatement(root: unknown, depth: number): Promise<Finding | undefined> {
  const outcome = walkStatement(root);
  if (outcome.kind === "refused") return outcome.finding;
  for (const body of outcome.sqlBodies) {
    const finding = await classifySqlBody(body, depth + 1);
    if (finding !== undefined) return finding;
  }
  return undefined;
}

/** A LANGUAGE sql body given as a string: the same parser, the same rules, one level deeper. */
async function classifySqlBody(body: string, depth: number): Promise<Finding | undefined> {
  const nodeType = "CreateFunctionStmt";
  if (depth > MAX_BODY_DEPTH) {
    return { code: "opaque_code", nodeType, message: "function bodies are nested too deeply to inspect" };
  }
  if (body.trim() === "") return undefined;
  const parsed = await parseStatements(body);
  if (!parsed.ok)
    return { code: "unparseable", nodeType, message: "the body of a LANGUAGE sql function does not parse" };
  for (const statement of parsed.value.statements) {
    const finding = await classifyStatement(statement.root, depth);
    if (finding !== undefined) {
      return {
        code: finding.code,
        nodeType: finding.nodeType,
        message: `in the body of a LANGUAGE sql function: ${finding.message}`,
      };
    }
  }
  return undefined;
}
