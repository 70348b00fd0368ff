import { parse } from "libpg-query";
import { classifyMigration } from "../src/lane/rehearsal/classify/classify.js";
import type { BenchSuite } from "./harness.js";

/**
 * SPEC C2's classifier against its bare limit: the same text through libpg-query's parse() alone.
 * The difference is the generic tree walk, the allowlist and the plpgsql word check.
 */
const MIGRATION = [
  "CREATE SCHEMA IF NOT EXISTS shop",
  "CREATE TABLE shop.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now())",
  "CREATE TABLE shop.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL REFERENCES shop.customers (id), total numeric(12, 2) NOT NULL CHECK (total >= 0), updated_at timestamptz)",
  "CREATE INDEX orders_customer ON shop.orders (customer_id)",
  "CREATE SEQUENCE shop.invoice_numbers START 1000",
  "ALTER TABLE shop.orders ADD COLUMN invoice_number bigint DEFAULT nextval('shop.invoice_numbers')",
  "CREATE TYPE shop.status AS ENUM ('open', 'paid', 'cancelled')",
  "ALTER TABLE shop.orders ADD COLUMN status shop.status NOT NULL DEFAULT 'open'",
  "INSERT INTO shop.customers (email) VALUES ('a@example.org'), ('b@example.org'), ('c@example.org')",
  "INSERT INTO shop.orders (customer_id, total) SELECT id, 10 * id FROM shop.customers",
  "UPDATE shop.orders SET status = 'paid' WHERE total > 15",
  "DELETE FROM shop.orders WHERE total = 0",
  "CREATE VIEW shop.open_orders AS SELECT o.id, c.email, o.total FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id WHERE o.status = 'open'",
  "CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$",
  "CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch()",
  "ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY",
  "CREATE POLICY orders_own ON shop.orders USING (customer_id = current_setting('app.customer_id')::bigint)",
  "GRANT SELECT ON shop.open_orders TO PUBLIC",
  "COMMENT ON TABLE shop.orders IS 'one row per order'",
  "ANALYZE shop.orders",
].join(";\n");

export const suite: BenchSuite = {
  name: "classify",
  async pairs() {
    // A refusal would return early and flatter the subject: measure only the accepting path.
    const check = await classifyMigration(MIGRATION);
    if (!check.ok) throw new Error(`bench migration refused: ${check.error.code}`);
    return [
      {
        group: "C2 migration classifier (20 statements)",
        subject: { name: "classifyMigration", fn: () => classifyMigration(MIGRATION) },
        limit: { name: "libpg-query parse() alone", fn: () => parse(MIGRATION) },
        opsPerRound: 200,
      },
    ];
  },
};
