/**
 * Side channels for requests answered side by side. A system reports what it produced since its
 * previous look (rows appended, files written), not who produced it; with several requests in
 * flight, each is handed everything looked at between its start and its own look after its
 * answer. That window holds all the request produced (a system records a request's rows and files
 * before it answers: G8, C7) and possibly a neighbour's too, which is the safe side: a leak is
 * never missed, and a leak seen by a request that did not make it is not confirmed when its bytes
 * are fired again alone (family-run.ts). With one request in flight the window is exactly its own.
 *
 * Looks are taken one at a time, so that each begins where the previous ended. A request that ends
 * while a look is waiting to begin joins that look instead of queueing one more: a look that
 * begins after the request's answer sees all the request produced, and the ledger read that a
 * look costs was half of the reference gate's database work (one per decision, docs/performance.md).
 */
import type { SideChannels } from "../types.js";
import { NO_CHANNELS } from "./channels.js";
import type { Raced } from "./deadline.js";

export class ChannelLog {
  /** Looks taken, oldest first; `#base` is the index of the first one still kept. */
  readonly #looks: SideChannels[] = [];
  #base = 0;
  /** Where each request in flight began, by its token. */
  readonly #open = new Map<symbol, number>();
  #looking: Promise<unknown> = Promise.resolve();
  /** The look queued behind the one in flight, not begun yet, and what it looks at. */
  #queued: { readonly key: unknown; readonly look: Promise<Raced<SideChannels>> } | undefined;

  /** A request starts: what is looked at from now on is in its window. */
  begin(): symbol {
    const token = Symbol("request");
    this.#open.set(token, this.#base + this.#looks.length);
    return token;
  }

  /**
   * A request's answer is in: takes a look (after every look already begun) and returns the
   * request's window, or how the look failed (nothing of this request is then said to be clean).
   * With a `key` (what the look reads: the same system, the same deadline), a look already queued
   * under the same key and not yet begun is shared instead.
   */
  async end(
    token: symbol,
    look: () => Promise<Raced<SideChannels>>,
    key?: unknown,
  ): Promise<Raced<SideChannels>> {
    const queued = this.#queued;
    const looked = key !== undefined && queued?.key === key ? queued.look : this.#queue(look, key);
    try {
      const raced = await looked;
      if (raced.kind !== "done") return raced;
      return { kind: "done", value: merge(this.#looks.slice((this.#open.get(token) ?? 0) - this.#base)) };
    } finally {
      this.#open.delete(token);
      this.#trim();
    }
  }

  #queue(look: () => Promise<Raced<SideChannels>>, key: unknown): Promise<Raced<SideChannels>> {
    const entry = {
      key,
      look: this.#looking.then(async () => {
        // Begun: a request ending from now on may have produced after this look's start.
        if (this.#queued === entry) this.#queued = undefined;
        const raced = await look();
        // Kept once, before any request waiting on it computes its window.
        if (raced.kind === "done") this.#looks.push(raced.value);
        return raced;
      }),
    };
    this.#queued = entry;
    this.#looking = entry.look.catch(() => undefined);
    return entry.look;
  }

  /** Drops the looks no request in flight can still need. */
  #trim(): void {
    const oldest = Math.min(this.#base + this.#looks.length, ...this.#open.values());
    this.#looks.splice(0, oldest - this.#base);
    this.#base = oldest;
  }
}

function merge(looks: readonly SideChannels[]): SideChannels {
  if (looks.length === 0) return NO_CHANNELS;
  if (looks.length === 1) return looks[0] as SideChannels;
  const files = new Map<string, Uint8Array>();
  for (const look of looks) for (const [path, bytes] of look.files) files.set(path, bytes);
  return {
    stdout: looks.map((l) => l.stdout).join(""),
    stderr: looks.map((l) => l.stderr).join(""),
    files,
    rows: looks.flatMap((l) => l.rows),
  };
}
