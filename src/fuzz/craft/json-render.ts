/**
 * Renders a valid document with named mutations applied, as bytes. Hand-written because the
 * mutations are exactly what JSON serializers refuse to produce: duplicate members, numbers
 * spelled 1.0 or -0, escaped member names, lone surrogates, a BOM, invalid UTF-8.
 */
export type JsonPath = readonly string[];

export type Mutation =
  /** Emits member `name` of the object at `path` once more, with this raw JSON value. */
  | {
      readonly kind: "duplicate";
      readonly path: JsonPath;
      readonly name: string;
      readonly raw: string;
      readonly escapeName: boolean;
    }
  /** Replaces the value of member `path` by this raw JSON text. */
  | { readonly kind: "replace"; readonly path: JsonPath; readonly raw: string }
  | { readonly kind: "remove"; readonly path: JsonPath }
  /** Adds member `name` with this raw JSON value to the object at `path`. */
  | { readonly kind: "add"; readonly path: JsonPath; readonly name: string; readonly raw: string }
  | {
      readonly kind: "bytes";
      readonly op: "bom" | "invalid-utf8" | "overlong" | "trailing" | "oversize" | "oversize-rehearsal";
    };

const key = (path: JsonPath): string => path.join("\u0000");

function escapedName(name: string): string {
  return `"${[...name].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"`;
}

function renderValue(value: unknown, path: JsonPath, mutations: readonly Mutation[]): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => JSON.stringify(item)).join(",")}]`;
  const here = key(path);
  const members: string[] = [];
  for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
    const memberPath = [...path, name];
    const memberKey = key(memberPath);
    if (mutations.some((m) => m.kind === "remove" && key(m.path) === memberKey)) continue;
    const replaced = mutations.find((m) => m.kind === "replace" && key(m.path) === memberKey);
    const text = replaced?.kind === "replace" ? replaced.raw : renderValue(member, memberPath, mutations);
    members.push(`${JSON.stringify(name)}:${text}`);
  }
  for (const m of mutations) {
    if (m.kind === "add" && key(m.path) === here) members.push(`${JSON.stringify(m.name)}:${m.raw}`);
    if (m.kind === "duplicate" && key(m.path) === here) {
      members.push(`${m.escapeName ? escapedName(m.name) : JSON.stringify(m.name)}:${m.raw}`);
    }
  }
  return `{${members.join(",")}}`;
}

function applyBytes(text: string, op: Extract<Mutation, { kind: "bytes" }>["op"]): Uint8Array {
  const bytes = Buffer.from(text, "utf8");
  // Inside the first string value, so a lenient decoder that replaces bad bytes would accept.
  const inString = Math.max(0, text.indexOf(':"') + 2);
  switch (op) {
    case "bom":
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    case "invalid-utf8":
      return Buffer.concat([bytes.subarray(0, inString), Buffer.from([0xff]), bytes.subarray(inString)]);
    case "overlong":
      // An overlong encoding of "/" (0x2F).
      return Buffer.concat([
        bytes.subarray(0, inString),
        Buffer.from([0xc0, 0xaf]),
        bytes.subarray(inString),
      ]);
    case "trailing":
      return Buffer.concat([bytes, Buffer.from("x")]);
    case "oversize":
      // Whitespace is valid JSON: only the size breaks R4.
      return Buffer.concat([bytes, Buffer.alloc(65_537 - Math.min(bytes.length, 65_536), 0x20)]);
    case "oversize-rehearsal":
      // One byte over the largest document of all, a rehearsal request (R4's 1 MiB exception).
      return Buffer.concat([bytes, Buffer.alloc(Math.max(0, 1_114_113 - bytes.length), 0x20)]);
  }
}

export function renderMutated(doc: unknown, mutations: readonly Mutation[]): Uint8Array {
  const text = renderValue(doc, [], mutations);
  const bytesOp = mutations.find((m) => m.kind === "bytes");
  return bytesOp?.kind === "bytes" ? applyBytes(text, bytesOp.op) : Buffer.from(text, "utf8");
}

/** A mutation in a few words, for findings and docs/probes.md. */
export function describeMutation(m: Mutation): string {
  const where = (path: JsonPath): string => (path.length === 0 ? "the root" : `\`${path.join(".")}\``);
  switch (m.kind) {
    case "duplicate":
      return `duplicate member \`${m.name}\`${m.escapeName ? " (name escaped)" : ""} in ${where(m.path)}`;
    case "replace":
      return `${where(m.path)} set to ${m.raw.length > 40 ? `${m.raw.slice(0, 37)}...` : m.raw}`;
    case "remove":
      return `${where(m.path)} removed`;
    case "add":
      return `member \`${m.name}\` added to ${where(m.path)}`;
    case "bytes":
      return `bytes: ${m.op}`;
  }
}

/**
 * The member a mutation touches. Mutations of one probe touch distinct members: "remove x" and
 * "duplicate x" together would render a single, valid x.
 */
export function mutationPlace(m: Mutation): string {
  switch (m.kind) {
    case "duplicate":
    case "add":
      return key([...m.path, m.name]);
    case "replace":
    case "remove":
      return key(m.path);
    case "bytes":
      return "\u0002bytes";
  }
}
