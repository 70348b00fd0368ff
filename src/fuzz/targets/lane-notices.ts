/**
 * What an in-process lane prints (its injected `notice` logger), kept as the rehearsal's stderr
 * channel (SPEC F2, F4): the reference lane has no process of its own, and a notice written to the
 * fuzzer's own stderr would be neither scanned nor judged, and could carry a key to the terminal.
 */
import { BoundedText } from "./bounded-text.js";

/** A lane that prints this much between two looks is cut there (BoundedText says so). */
const NOTICE_BYTES = 1024 * 1024;

/** One notice as the lane's own default logger prints it. */
export function noticeText(line: string): string {
  return `failclosed: NOTICE: ${line}\n`;
}

export interface NoticeLog {
  /** The lane's `notice` option. */
  readonly notice: (line: string) => void;
  /** Every notice since the previous take. */
  take(): string;
}

export function noticeLog(): NoticeLog {
  const text = new BoundedText(NOTICE_BYTES);
  return {
    notice: (line) => text.append(Buffer.from(noticeText(line), "utf8")),
    take: () => text.take(),
  };
}
