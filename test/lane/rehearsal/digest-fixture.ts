/**
 * A rich database state for the digest tests, buildable on PGlite (PG 18) and on a real server
 * (PG 15) by a superuser or by an ordinary role owning the database. `order` changes the order in
 * which rows are inserted and some independent DDL runs, never the resulting state.
 */
export type FixtureOrder = "forward" | "reverse";

const SCHEMA = String.raw`
CREATE SCHEMA app;
CREATE SCHEMA "Audit Log";
COMMENT ON SCHEMA app IS 'application';

CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok';
CREATE DOMAIN app.positive_int AS integer DEFAULT 1 CHECK (VALUE > 0);
CREATE DOMAIN app.email AS text NOT NULL CHECK (VALUE LIKE '%@%');
CREATE TYPE app.pair AS (a integer, b text);
CREATE TYPE app.floatrange AS RANGE (subtype = float8);
COMMENT ON TYPE app.mood IS 'how a customer feels';

CREATE SEQUENCE app.ticket_seq START 100 INCREMENT 5;

CREATE TABLE app.customers (
  id bigserial PRIMARY KEY,
  email app.email UNIQUE,
  name text,
  mood app.mood DEFAULT 'ok',
  balance numeric(12, 2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
  score double precision,
  ratio real,
  avatar bytea,
  created_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00+00',
  tags text[],
  profile jsonb,
  born date,
  wake time,
  span interval,
  lucky app.positive_int,
  pair app.pair,
  window_ app.floatrange,
  ticket integer DEFAULT nextval('app.ticket_seq'),
  full_name text GENERATED ALWAYS AS (coalesce(name, '') || ' <' || email || '>') STORED,
  CONSTRAINT customers_name_len CHECK (char_length(name) < 200)
) WITH (fillfactor = 90);
COMMENT ON TABLE app.customers IS 'Customers — clients, Kunden';
COMMENT ON COLUMN app.customers.email IS 'login';

CREATE TABLE app.orders (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES app.customers (id) ON DELETE CASCADE,
  amount numeric NOT NULL,
  note text,
  CONSTRAINT orders_note_unique UNIQUE (customer_id, note) DEFERRABLE INITIALLY DEFERRED
);
ALTER TABLE app.orders ALTER COLUMN note SET STATISTICS 500;

CREATE TABLE "Audit Log"."Événements" (at timestamptz, what text, who text DEFAULT CURRENT_USER);
CREATE UNLOGGED TABLE app.scratch (k text PRIMARY KEY, v bytea);

CREATE TABLE app.base_log (at date, line text);
CREATE TABLE app.child_log (level int) INHERITS (app.base_log);

CREATE TABLE app.measurements (taken date NOT NULL, value float8) PARTITION BY RANGE (taken);
CREATE TABLE app.measurements_2024 PARTITION OF app.measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.measurements_rest PARTITION OF app.measurements DEFAULT;

CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.note := coalesce(NEW.note, 'auto');
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE FUNCTION app.total(c bigint) RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT coalesce(sum(amount), 0) FROM app.orders WHERE customer_id = c $$;
CREATE FUNCTION app.double_it(x integer DEFAULT 2) RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  BEGIN ATOMIC SELECT x * 2; END;
CREATE PROCEDURE app.bump(n integer) LANGUAGE plpgsql SET search_path = app, pg_catalog AS $$ BEGIN PERFORM nextval('app.ticket_seq'); END $$;
CREATE AGGREGATE app.product(float8) (SFUNC = float8mul, STYPE = float8, INITCOND = '1');
COMMENT ON FUNCTION app.total(bigint) IS 'sum of a customer''s orders';

CREATE VIEW app.rich_customers AS
  SELECT c.id, c.email, sum(o.amount) AS total
  FROM app.customers c JOIN app.orders o ON o.customer_id = c.id
  WHERE c.mood IS DISTINCT FROM 'sad'
  GROUP BY c.id, c.email
  HAVING sum(o.amount) > 10;
CREATE VIEW app.named_orders WITH (security_barrier = true) AS
  SELECT o.id, CASE WHEN o.amount > 100 THEN 'big' ELSE 'small' END AS size, o.amount::text AS amount_text
  FROM app.orders o WHERE o.note IS NOT NULL WITH CASCADED CHECK OPTION;
CREATE RULE scratch_no_delete AS ON DELETE TO app.scratch DO INSTEAD NOTHING;

CREATE OPERATOR app.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4eq, COMMUTATOR = OPERATOR(app.===));
CREATE STATISTICS app.customer_stats (dependencies) ON mood, lucky FROM app.customers;
CREATE TEXT SEARCH CONFIGURATION app.plain (COPY = pg_catalog.simple);

ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_visible ON app.orders FOR SELECT TO PUBLIC USING (amount > 0);
CREATE POLICY orders_insert ON app.orders AS RESTRICTIVE FOR INSERT TO PUBLIC WITH CHECK (amount < 1000000);

GRANT USAGE ON SCHEMA app TO PUBLIC;
GRANT SELECT ON app.customers TO PUBLIC;
GRANT SELECT (id, amount) ON app.orders TO PUBLIC;
REVOKE EXECUTE ON FUNCTION app.total(bigint) FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;

DO $$ BEGIN EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'digest fixture'); END $$;
`;

/** Index creation is placed before or after the rows, which must not matter. */
const INDEXES = String.raw`
CREATE INDEX orders_customer_idx ON app.orders (customer_id) WHERE amount > 0;
CREATE UNIQUE INDEX customers_lower_email ON app.customers (lower(email));
CREATE INDEX "Événements_at" ON "Audit Log"."Événements" USING btree (at DESC NULLS LAST);
`;

const CUSTOMERS = String.raw`
INSERT INTO app.customers (id, email, name, mood, balance, score, ratio, avatar, created_at, tags, profile, born, wake, span, lucky, pair, window_, ticket) VALUES
(1, 'ada@example.com', 'Ada Lovelace', 'happy', 1234.50, 0.1, 3.14, '\x00ff10', '2024-02-29 12:34:56.789+02', '{alpha,"be ta",NULL}', '{"b": [1, 2.50, null], "a": {"ü": "ß"}}', '1815-12-10', '06:30', '1 year 2 mons 3 days 04:05:06.789', 7, ROW(1, 'x,y'), '[1.5,2.25)', 100);
INSERT INTO app.customers (id, email, name, mood, balance, score, ratio, avatar, created_at, tags, profile, born, wake, span, lucky, pair, window_, ticket) VALUES
(2, 'bob@example.com', NULL, NULL, 0, 'NaN', '-Infinity', NULL, '1999-12-31 23:59:59+00', '{}', 'null', NULL, NULL, NULL, NULL, NULL, 'empty', 105);
INSERT INTO app.customers (id, email, name, mood, balance, score, ratio, avatar, created_at, tags, profile, born, wake, span, lucky, pair, window_, ticket) VALUES
(3, 'zoë@exämple.org', E'Zoë "Z" O''Neil\ttab\nnewline\\backslash', 'meh', 0.01, 1e300, '-0', '\x', '2038-01-19 03:14:08+00', '{"{nested}","a,b"}', '[]', '2000-02-29', '23:59:59.999999', '-1 day', 1, ROW(NULL, NULL), '(,)', 110);
INSERT INTO app.customers (id, email, name, mood, balance, score, ratio, avatar, created_at, tags, profile, born, wake, span, lucky, pair, window_, ticket) VALUES
(4, '日本@例え.jp', '日本語テキスト 🎉', 'sad', 99999.99, -2.5e-10, 1e-30, '\xdeadbeef', '1970-01-01 00:00:00+00', ARRAY['日本', NULL, ''], '{"n": 1.0e+2, "s": "🎉", "t": true}', '0001-01-01', '00:00', '00:00:00.000001', 2147483647, ROW(-1, ''), '[-Infinity,0]', 115);
`;

const ORDERS = String.raw`
INSERT INTO app.orders (id, customer_id, amount, note) OVERRIDING SYSTEM VALUE VALUES (1, 1, 10.5, 'first');
INSERT INTO app.orders (id, customer_id, amount, note) OVERRIDING SYSTEM VALUE VALUES (2, 1, 200, NULL);
INSERT INTO app.orders (id, customer_id, amount, note) OVERRIDING SYSTEM VALUE VALUES (3, 3, 0.000001, 'tiny');
INSERT INTO app.orders (id, customer_id, amount, note) OVERRIDING SYSTEM VALUE VALUES (4, 4, 12345678901234567890.123456789, 'huge');
INSERT INTO app.orders (id, customer_id, amount, note) OVERRIDING SYSTEM VALUE VALUES (5, 2, -3, 'refund');
`;

const OTHER_ROWS = String.raw`
INSERT INTO "Audit Log"."Événements" VALUES ('2024-05-01 10:00:00+00', 'créé', 'système');
INSERT INTO "Audit Log"."Événements" VALUES (NULL, NULL, NULL);
INSERT INTO "Audit Log"."Événements" VALUES ('2024-05-01 10:00:00+00', 'créé', 'système');
INSERT INTO app.scratch VALUES ('a', '\x01'), ('b', NULL);
INSERT INTO app.base_log VALUES ('2024-01-02', 'base');
INSERT INTO app.child_log VALUES ('2024-01-03', 'child', 3);
INSERT INTO app.measurements VALUES ('2024-03-01', 1.5), ('2023-03-01', -0.0), ('2024-12-31', 'Infinity');
`;

const AFTER_ROWS = String.raw`
SELECT setval('app.customers_id_seq', 4);
SELECT setval(pg_get_serial_sequence('app.orders', 'id'), 5);
SELECT nextval('app.ticket_seq') FROM generate_series(1, 3);
SELECT lo_from_bytea(424242, '\x68656c6c6f2c206c6f');
CREATE MATERIALIZED VIEW app.order_totals AS SELECT customer_id, count(*) AS n, sum(amount) AS total FROM app.orders GROUP BY customer_id;
CREATE MATERIALIZED VIEW app.never_filled AS SELECT 1 AS one WITH NO DATA;
`;

function reversedStatements(block: string): string {
  return block
    .trim()
    .split(/;\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .reverse()
    .join(";\n")
    .concat(";\n");
}

/**
 * The fixture as scripts to run one after another: a real server runs each script as one
 * transaction, and the enum value added in the first must be committed before rows use it.
 */
export function richFixtureScripts(order: FixtureOrder = "forward"): string[] {
  if (order === "forward") return [SCHEMA, [INDEXES, CUSTOMERS, ORDERS, OTHER_ROWS, AFTER_ROWS].join("\n")];
  // Rows in reverse (orders need their customers, so customers still come first), indexes
  // built after the rows instead of before.
  return [
    SCHEMA,
    [
      reversedStatements(CUSTOMERS),
      reversedStatements(ORDERS),
      reversedStatements(OTHER_ROWS),
      INDEXES,
      AFTER_ROWS,
    ].join("\n"),
  ];
}

/** Drops what richFixtureScripts built, so it can be built again in the same database. */
export const DROP_RICH_FIXTURE = String.raw`
DROP SCHEMA app CASCADE;
DROP SCHEMA "Audit Log" CASCADE;
SELECT lo_unlink(424242);
`;
