/** Where a signed payload can be changed by one character and still be a document a gate acts on. */
import { ACTIONS, BLOCKER_STATUSES, OPTIONS } from "../../../lane/index.js";

const ENUM_VALUES = new Set<string>([
  ...OPTIONS,
  ...ACTIONS,
  ...BLOCKER_STATUSES,
  "decision-packet",
  "grant",
  "evidence",
  "production",
  "owner",
  "operator",
  "transactional",
  "snapshot_restore",
  "PASS",
  "FAIL",
  "REFUSED",
  "clone",
]);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Offsets of alphanumeric characters inside string values that are neither enumerations nor
 * timestamps: rotating one of them (within its class) leaves ids, nonces, hex digests and free
 * text valid, so the tampered payload is still a document a careless gate would act on.
 */
export function tamperableOffsets(text: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
    const content = text.slice(i + 1, j);
    const isName = text[j + 1] === ":";
    if (!isName && !ENUM_VALUES.has(content) && !TIMESTAMP.test(content) && !content.includes("\\")) {
      for (let p = i + 1; p < j; p++) if (/[A-Za-z0-9]/.test(text[p] ?? "")) out.push(p);
    }
    i = j + 1;
  }
  return out;
}

const CLASSES = ["0123456789", "abcdef", "ghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"];
export function rotate(c: string): string {
  for (const cls of CLASSES) {
    const at = cls.indexOf(c);
    if (at >= 0) return cls[(at + 1) % cls.length] ?? c;
  }
  return c;
}
