/**
 * GitHub Actions workflow commands (`::error file=F,line=1,title=T::message`), escaped as the
 * runner unescapes them (actions/toolkit, packages/core/src/command.ts): in the message `%`, CR
 * and LF are percent-encoded; in a property `:` and `,` are too, since they end a property.
 * Written out here because @actions/core would be a runtime dependency of every user for these
 * two functions, and its `issueCommand` writes to process.stdout itself, where the CLI's Io
 * (and the tests) could not see it.
 */
export type AnnotationLevel = "error" | "warning" | "notice";

export interface Annotation {
  readonly level: AnnotationLevel;
  readonly title: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function workflowCommand(annotation: Annotation): string {
  const properties = [
    ...(annotation.file === undefined ? [] : [`file=${escapeProperty(annotation.file)}`]),
    ...(annotation.line === undefined ? [] : [`line=${annotation.line}`]),
    `title=${escapeProperty(annotation.title)}`,
  ];
  return `::${annotation.level} ${properties.join(",")}::${escapeData(annotation.message)}`;
}
