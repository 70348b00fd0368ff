import { type Result, err, ok } from "../../kernel/result.js";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses a report file strictly: valid UTF-8, valid JSON, and no member named twice in one object.
 * JSON.parse silently keeps the last of two duplicates, so `"canary": "hit", "canary": "clean"`
 * would read as clean; the release gate must never be fooled that way. Reports can be far larger
 * than the lane's 64 KiB documents (findings carry their bytes), so the lane's scanner does not fit.
 */
export function parseStrictJson(bytes: Uint8Array): Result<unknown, string> {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return err("not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return err(`not valid JSON (${cause instanceof Error ? cause.message : "parse error"})`);
  }
  const duplicate = findDuplicateMember(text);
  return duplicate === undefined ? ok(value) : err(`member ${duplicate} appears twice in one object`);
}

/**
 * Walks text already known to be valid JSON. In valid JSON a string followed by a colon is always
 * a member name, which keeps this walk small: no grammar, only strings and brackets.
 */
function findDuplicateMember(text: string): string | undefined {
  const open: Array<Set<string> | undefined> = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{") open.push(new Set());
    else if (ch === "[") open.push(undefined);
    else if (ch === "}" || ch === "]") open.pop();
    else if (ch === '"') {
      const end = stringEnd(text, i);
      if (nextNonSpace(text, end + 1) === ":") {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        const members = open[open.length - 1];
        if (members?.has(name) === true) return JSON.stringify(name.slice(0, 64));
        members?.add(name);
      }
      i = end;
    }
  }
  return undefined;
}

/** Index of the closing quote of the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i;
}

function nextNonSpace(text: string, from: number): string | undefined {
  let i = from;
  while (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t") i++;
  return text[i];
}
