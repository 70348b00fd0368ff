/**
 * A tiny well-formedness check for the JUnit writer's XML (no new dependencies): the prolog, only
 * characters XML 1.0 allows, entity references only, quoted unique attributes, balanced tags and
 * one root. It accepts only the subset the writer emits (no comments, CDATA or DOCTYPE).
 */
// eslint-disable-next-line no-control-regex -- XML 1.0's forbidden characters are the point.
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;
const NAME = "[A-Za-z_][-A-Za-z0-9_.]*";
const ATTRIBUTE = new RegExp(`^\\s+(${NAME})="([^"<]*)"`);

export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const prolog = '<?xml version="1.0" encoding="UTF-8"?>';
  if (!xml.startsWith(prolog)) problems.push("no XML prolog");
  if (FORBIDDEN.test(xml)) problems.push("a character XML 1.0 forbids");
  if (LONE_SURROGATE.test(xml)) problems.push("an unpaired surrogate");
  const stack: string[] = [];
  let roots = 0;
  for (const token of xml.slice(prolog.length).match(/<[^>]*>|[^<]+/g) ?? []) {
    if (!token.startsWith("<")) {
      if (AMPERSAND.test(token)) problems.push(`bare & in text: ${token.slice(0, 40)}`);
      if (token.includes("]]>")) problems.push("]]> in text");
      if (stack.length === 0 && token.trim() !== "") problems.push("text outside the root");
      continue;
    }
    const close = new RegExp(`^</(${NAME})>$`).exec(token);
    if (close !== null) {
      if (stack.pop() !== close[1]) problems.push(`unbalanced </${close[1]}>`);
      continue;
    }
    const open = new RegExp(`^<(${NAME})`).exec(token);
    if (open === null) {
      problems.push(`not a tag: ${token.slice(0, 40)}`);
      continue;
    }
    const selfClosing = token.endsWith("/>");
    let rest = token.slice(open[0].length, selfClosing ? -2 : -1);
    const seen = new Set<string>();
    for (let attr = ATTRIBUTE.exec(rest); attr !== null; attr = ATTRIBUTE.exec(rest)) {
      const [whole, name = "", value = ""] = attr;
      if (seen.has(name)) problems.push(`duplicate attribute ${name}`);
      seen.add(name);
      if (AMPERSAND.test(value)) problems.push(`bare & in attribute ${name}`);
      rest = rest.slice(whole.length);
    }
    if (rest.trim() !== "") problems.push(`bad attributes in <${open[1]}>: ${rest.slice(0, 40)}`);
    if (stack.length === 0) roots++;
    if (!selfClosing) stack.push(open[1] ?? "");
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(", ")}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
