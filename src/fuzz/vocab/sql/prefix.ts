/** The clean prefix of a P08 migration: a table and its rows, from a small grammar of its own. */
import fc from "fast-check";
import { lit, pick, stmt, TABLE, type Stmt } from "./words.js";

export type ColumnType = "integer" | "bigint" | "text" | "boolean" | "numeric" | "date" | "timestamptz";

export interface Column {
  readonly type: ColumnType;
  readonly notNull: boolean;
  readonly withDefault: boolean;
}

export interface Prefix {
  readonly columns: readonly Column[];
  readonly rows: number;
  readonly insert: "values" | "select";
}

export const columnArb: fc.Arbitrary<Column> = fc.record({
  type: pick<ColumnType>("integer", "bigint", "text", "boolean", "numeric", "date", "timestamptz"),
  notNull: fc.boolean(),
  withDefault: fc.boolean(),
});

export const prefixArb: fc.Arbitrary<Prefix> = fc.record({
  columns: fc.array(columnArb, { maxLength: 3 }),
  rows: fc.integer({ min: 1, max: 4 }),
  insert: pick("values", "select"),
});

export const SQL_TYPE: Readonly<Record<ColumnType, string>> = {
  integer: "integer",
  bigint: "bigint",
  text: "text",
  boolean: "boolean",
  numeric: "numeric(10,2)",
  date: "date",
  timestamptz: "timestamptz",
};

export function literal(type: ColumnType, row: number): string {
  switch (type) {
    case "integer":
    case "bigint":
      return String(row * 7);
    case "text":
      return `'row ${row}'`;
    case "boolean":
      return row % 2 === 0 ? "true" : "false";
    case "numeric":
      return `${row}.50`;
    case "date":
      return `'2026-01-0${row}'`;
    case "timestamptz":
      return `'2026-01-0${row} 00:00:00+00'`;
  }
}

export function fromSeries(type: ColumnType): string {
  switch (type) {
    case "integer":
    case "bigint":
      return "g * 7";
    case "text":
      return "'row ' || g";
    case "boolean":
      return "g % 2 = 0";
    case "numeric":
      return "g + 0.5";
    case "date":
      return "date '2026-01-01' + g";
    case "timestamptz":
      return "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 day'";
  }
}

export function prefixStatements(prefix: Prefix): [create: Stmt, insert: Stmt] {
  const columns = prefix.columns.map(
    (c, i) =>
      `c${i} ${SQL_TYPE[c.type]}${c.notNull ? " NOT NULL" : ""}${c.withDefault ? ` DEFAULT ${literal(c.type, 1)}` : ""}`,
  );
  const create = stmt(
    "CREATE",
    "TABLE",
    TABLE,
    lit(`(id integer PRIMARY KEY${columns.map((c) => `, ${c}`).join("")})`),
  );
  const names = ["id", ...prefix.columns.map((_, i) => `c${i}`)].join(", ");
  const insert =
    prefix.insert === "values"
      ? stmt(
          "INSERT",
          "INTO",
          TABLE,
          lit(`(${names})`),
          "VALUES",
          lit(
            Array.from(
              { length: prefix.rows },
              (_, r) =>
                `(${[String(r + 1), ...prefix.columns.map((c) => literal(c.type, r + 1))].join(", ")})`,
            ).join(", "),
          ),
        )
      : stmt(
          "INSERT",
          "INTO",
          TABLE,
          lit(`(${names})`),
          "SELECT",
          lit(["g", ...prefix.columns.map((c) => fromSeries(c.type))].join(", ")),
          "FROM",
          "generate_series",
          lit(`(1, ${prefix.rows}) AS g`),
        );
  return [create, insert];
}
