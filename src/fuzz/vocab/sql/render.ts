/** P08's structure to SQL text, style applied last: the same value always gives the same text. */
import { labelOf } from "../../craft/authorized.js";
import { markerFor } from "../../craft/markers.js";
import { prefixStatements } from "./prefix.js";
import type { RollbackValue } from "./rollback-value.js";
import { padMigration } from "./sizes.js";
import { GAPS, LEADS, SEPARATORS, type Style } from "./style.js";
import { NAME, TABLE, type Escape, type Stmt, type Word } from "./words.js";

/** A tiny deterministic generator: the same seed gives the same random casing. */
function bits(seed: number): () => boolean {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state & 1) === 1;
  };
}

export class Renderer {
  private gapIndex = 0;
  private readonly coin: () => boolean;
  /** The GAPS entries this renderer put between words: what spellings.ts counts. */
  readonly gapsUsed = new Set<number>();

  constructor(
    private readonly style: Style,
    private readonly names: { readonly table: string; readonly suffix: string },
  ) {
    this.coin = bits(style.caseSeed);
  }

  private fill(text: string): string {
    return text.replaceAll(TABLE, this.names.table).replaceAll(NAME, this.names.suffix);
  }

  private gap(): string {
    const { gaps } = this.style;
    if (gaps.length === 0) return " ";
    const index = gaps[this.gapIndex % gaps.length] ?? 0;
    this.gapIndex += 1;
    this.gapsUsed.add(index);
    const gap = GAPS[index] ?? " ";
    return gap;
  }

  private cased(word: string): string {
    switch (this.style.casing) {
      case "upper":
        return word.toUpperCase();
      case "lower":
        return word.toLowerCase();
      case "title":
        return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
      case "alternating":
        return [...word].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join("");
      case "random":
        return [...word].map((c) => (this.coin() ? c.toUpperCase() : c.toLowerCase())).join("");
    }
  }

  words(words: readonly Word[]): string {
    const out: string[] = [];
    for (const word of words) {
      if (out.length > 0) out.push(this.gap());
      if (typeof word === "string") out.push(this.cased(this.fill(word)));
      else if ("lit" in word) out.push(this.fill(word.lit));
      else out.push(`${word.tag} ${this.words(word.body)} ${word.tag}`);
    }
    return out.join("");
  }

  statement(s: Stmt): string {
    // A meta-command is a whole line for psql; it must not share a line with SQL.
    if ("meta" in s) return `\n${this.fill(s.meta)}\n`;
    const lead = LEADS[this.style.lead] ?? "";
    // A script of its own: only a lead before it, on a line of its own, never restyled inside.
    if ("raw" in s) return `\n${lead}${s.raw.endsWith("\n") ? s.raw : `${s.raw}\n`}`;
    return `${lead}${this.words(s.words)}${SEPARATORS[this.style.separator] ?? ";\n"}`;
  }
}

export function referencesTable(escape: Escape): boolean {
  return JSON.stringify(escape.stmts).includes(TABLE);
}

/** Where the escapes really go: those that name the probe's table cannot run before it exists. */
export function placementOf(value: RollbackValue): RollbackValue["placement"] {
  return value.placement === "start" && value.escapes.some(referencesTable)
    ? "after-create"
    : value.placement;
}

/**
 * The migration opens with a comment holding its echo marker (craft/markers.ts): bytes a server's
 * error, a log line or a result could carry back, and that only the evidence's copy of the
 * migration may hold (E1). A comment changes nothing the lane runs or refuses.
 */
export function markerComment(value: RollbackValue): string {
  return `-- ${markerFor("migration", labelOf(value))}\n`;
}

/** The statements in order, rendered, and the renderer that wrote them (which gaps it used). */
export function renderStatements(value: RollbackValue): {
  readonly text: string;
  readonly renderer: Renderer;
} {
  const label = labelOf(value);
  const suffix = label.slice(0, 10);
  const renderer = new Renderer(value.style, { table: `fc_p08_${suffix}`, suffix });
  const escapes = value.escapes.flatMap((e) => e.stmts);
  const order = value.prefix === null ? escapes : ordered(value, prefixStatements(value.prefix), escapes);
  return { text: order.map((s) => renderer.statement(s)).join(""), renderer };
}

export function migrationOf(value: RollbackValue): string {
  return padMigration(`${markerComment(value)}${renderStatements(value).text}`, value.size);
}

function ordered(
  value: RollbackValue,
  [create, insert]: readonly [Stmt, Stmt],
  escapes: readonly Stmt[],
): Stmt[] {
  switch (placementOf(value)) {
    case "start":
      return [...escapes, create, insert];
    case "after-create":
      return [create, ...escapes, insert];
    case "end":
      return [create, insert, ...escapes];
  }
}
