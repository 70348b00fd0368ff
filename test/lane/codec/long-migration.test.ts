/**
 * R4's exception (issue #14): a rehearsal request's `migration` may hold up to 1 MiB of SQL,
 * counted in UTF-8 bytes, and the request may then be up to 1 MiB + 64 KiB. Nothing else widens:
 * every other string of the request, and every other kind of document, keeps R4's ordinary limits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeDocument } from "../../../src/lane/codec/decode.js";
import type { DocumentKind } from "../../../src/lane/codec/index.js";
import {
  MAX_DOCUMENT_BYTES,
  MAX_MIGRATION_BYTES,
  MAX_REHEARSAL_REQUEST_BYTES,
  MAX_STRING_CHARS,
} from "../../../src/lane/codec/limits.js";
import { exampleActionRequest, exampleRehearsalRequest, withMembers } from "../../support/documents.js";

function outcome(kind: DocumentKind, bytes: Uint8Array): string {
  const decoded = decodeDocument(kind, bytes);
  return decoded.ok ? "accepted" : decoded.error.code;
}

function request(migration: string, extra: Record<string, unknown> = {}): Uint8Array {
  return Buffer.from(JSON.stringify(withMembers(exampleRehearsalRequest(), { migration, ...extra })), "utf8");
}

/** A migration of exactly `bytes` UTF-8 bytes, made of `unit` (1 to 4 bytes) and ASCII filler. */
function migrationOf(bytes: number, unit: string): string {
  const width = Buffer.byteLength(unit, "utf8");
  const count = Math.floor(bytes / width);
  return unit.repeat(count) + "x".repeat(bytes - count * width);
}

describe("R4's exception for a rehearsal request's migration", () => {
  it("limits are the SPEC's", () => {
    expect(MAX_MIGRATION_BYTES).toBe(1024 * 1024);
    expect(MAX_REHEARSAL_REQUEST_BYTES).toBe(1024 * 1024 + 64 * 1024);
  });

  it("accepts a migration of exactly 1 MiB and refuses one byte more (string_too_long)", () => {
    expect(outcome("rehearsal-request", request(migrationOf(MAX_MIGRATION_BYTES, "x")))).toBe("accepted");
    expect(outcome("rehearsal-request", request(migrationOf(MAX_MIGRATION_BYTES + 1, "x")))).toBe(
      "string_too_long",
    );
  });

  it("counts UTF-8 bytes, not characters: 1 MiB of three-byte characters is far fewer than 1 Mi characters", () => {
    expect(outcome("rehearsal-request", request(migrationOf(MAX_MIGRATION_BYTES, "€")))).toBe("accepted");
    expect(outcome("rehearsal-request", request(migrationOf(MAX_MIGRATION_BYTES + 1, "€")))).toBe(
      "string_too_long",
    );
  });

  it("property: a migration is accepted exactly when it is at most 1 MiB of UTF-8, whatever its characters", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_MIGRATION_BYTES - 8, max: MAX_MIGRATION_BYTES + 8 }),
        fc.constantFrom("x", "é", "€", "😀"),
        (bytes, unit) => {
          const expected = bytes <= MAX_MIGRATION_BYTES ? "accepted" : "string_too_long";
          expect(outcome("rehearsal-request", request(migrationOf(bytes, unit)))).toBe(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("refuses a request over 1 MiB + 64 KiB (too_large), even when its migration is within 1 MiB", () => {
    const base = request(migrationOf(MAX_MIGRATION_BYTES, "x"));
    const padding = MAX_REHEARSAL_REQUEST_BYTES - base.length;
    const text = Buffer.from(base).toString("utf8");
    const padded = `${text.slice(0, -1)}${" ".repeat(padding)}}`;
    expect(Buffer.byteLength(padded)).toBe(MAX_REHEARSAL_REQUEST_BYTES);
    expect(outcome("rehearsal-request", Buffer.from(padded))).toBe("accepted");
    expect(outcome("rehearsal-request", Buffer.from(`${padded} `))).toBe("too_large");
  });

  it("keeps the 4,096-character limit on every other string: members, names and nested values", () => {
    const long = "y".repeat(MAX_STRING_CHARS + 1);
    const fine = "y".repeat(MAX_STRING_CHARS);
    // Must fire: the exception is for the root's migration only.
    expect(outcome("rehearsal-request", request("SELECT 1;", { note: long }))).toBe("string_too_long");
    expect(outcome("rehearsal-request", request("SELECT 1;", { [long]: 1 }))).toBe("string_too_long");
    expect(outcome("rehearsal-request", request("SELECT 1;", { note: { migration: long } }))).toBe(
      "string_too_long",
    );
    expect(outcome("rehearsal-request", request("SELECT 1;", { note: [fine, long] }))).toBe(
      "string_too_long",
    );
    // Must stay quiet: at the limit the usual schema rules answer (an unknown member).
    expect(outcome("rehearsal-request", request("SELECT 1;", { note: fine }))).toBe("unknown_member");
  });

  it("widens nothing for other documents: an action request keeps 65,536 bytes and 4,096 characters", () => {
    const doc = exampleActionRequest();
    const text = JSON.stringify(doc);
    const padded = `${text.slice(0, -1)}${" ".repeat(MAX_DOCUMENT_BYTES - text.length + 1)}}`;
    expect(outcome("action-request", Buffer.from(padded))).toBe("too_large");
    const migrationInAction = Buffer.from(JSON.stringify(withMembers(doc, { migration: "z".repeat(5000) })));
    expect(outcome("action-request", migrationInAction)).toBe("string_too_long");
  });
});
