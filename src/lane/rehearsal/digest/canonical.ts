import { createHash, type Hash } from "node:crypto";
import type { ScopeDigest } from "./types.js";

/**
 * The canonical text and its hashing. The text is line oriented: a header line, then for each
 * section (in byte order of its name) `section<TAB>name`, its lines, and `end<TAB>name<TAB>count`.
 * Fields inside a line are joined by TAB. Every field is escaped like COPY's text format, so a
 * value holding a newline or a tab can never imitate a line or field boundary, and NULL (`\N`)
 * can never equal a string.
 */

export function escapeField(value: string | null): string {
  if (value === null) return "\\N";
  return value.replace(/[\\\n\r\t]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t",
  );
}

export function canonicalLine(fields: ReadonlyArray<string | null>): string {
  return fields.map(escapeField).join("\t");
}

/** Byte order of UTF-8, the same order as PostgreSQL's COLLATE "C" on a UTF-8 database. */
export function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export function sortBytewise(lines: readonly string[]): string[] {
  return lines
    .map((line) => ({ line, bytes: Buffer.from(line, "utf8") }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map((entry) => entry.line);
}

export interface SectionWriter {
  line(text: string): void;
  /** Closes the section; returns its line count. */
  end(): number;
}

/** Streams one scope's canonical text into SHA-256 (whole text and per section). */
export class ScopeWriter {
  readonly #scope: Hash = createHash("sha256");
  readonly #sections = new Map<string, string>();
  readonly #counts = new Map<string, number>();
  readonly #sink: ((chunk: string) => void) | undefined;
  #previous: string | undefined;
  #open = false;

  constructor(format: string, sink?: (chunk: string) => void) {
    this.#sink = sink;
    this.#write(undefined, `${format}\n`);
  }

  #write(section: Hash | undefined, chunk: string): void {
    this.#scope.update(chunk, "utf8");
    section?.update(chunk, "utf8");
    this.#sink?.(chunk);
  }

  /** Sections must arrive in strictly increasing byte order: the text is canonical only then. */
  section(name: string): SectionWriter {
    if (this.#open) throw new Error(`digest: section ${name} opened while another is open`);
    if (this.#previous !== undefined && compareBytewise(this.#previous, name) >= 0) {
      throw new Error(`digest: section ${name} is out of order after ${this.#previous}`);
    }
    this.#previous = name;
    this.#open = true;
    const hash = createHash("sha256");
    const escaped = escapeField(name);
    let count = 0;
    let ended = false;
    this.#write(hash, `section\t${escaped}\n`);
    return {
      line: (text: string) => {
        if (ended) throw new Error(`digest: line written to closed section ${name}`);
        count++;
        this.#write(hash, `${text}\n`);
      },
      end: () => {
        if (ended) throw new Error(`digest: section ${name} closed twice`);
        ended = true;
        this.#write(hash, `end\t${escaped}\t${count}\n`);
        this.#sections.set(name, hash.digest("hex"));
        this.#counts.set(name, count);
        this.#open = false;
        return count;
      },
    };
  }

  /** A section whose lines are all known: sorted here so the caller's order never matters. */
  wholeSection(name: string, lines: readonly string[]): number {
    const writer = this.section(name);
    for (const line of sortBytewise(lines)) writer.line(line);
    return writer.end();
  }

  finish(): ScopeDigest {
    if (this.#open) throw new Error("digest: finished with a section still open");
    this.#write(undefined, `sections\t${this.#sections.size}\n`);
    return {
      digest: this.#scope.digest("hex"),
      sections: Object.freeze(Object.fromEntries(this.#sections)),
      counts: Object.freeze(Object.fromEntries(this.#counts)),
    };
  }
}

/** Receives the canonical text of each scope as it is hashed. */
export type CanonicalSink = (scope: "database" | "cluster", chunk: string) => void;
