/**
 * The trace: every event the simulation dispatches, in order. Its hash is the
 * fingerprint of a run (FoundationDB checks that a seed replays to the same
 * "unseed"; TigerBeetle's VOPR compares state checksums): two runs with one
 * seed must give the same hash, and two seeds should not. The hash covers
 * every entry; only the last `keep` entries are held in memory, to print
 * around a failure.
 *
 * The hash is two independent 32-bit multiply-xor lanes (FNV-1a's prime and
 * Murmur3's finalizer constants), 64 bits in all: not cryptographic, only
 * sensitive to every field of every entry and to their order.
 */

/** What happened. */
export type TraceKind =
  | "start"
  | "send"
  | "deliver"
  | "drop"
  | "duplicate"
  | "timer"
  | "crash"
  | "restart"
  | "pause"
  | "resume"
  | "fault"
  | "heal"
  | "action";

const kindCodes: Record<TraceKind, number> = {
  start: 1,
  send: 2,
  deliver: 3,
  drop: 4,
  duplicate: 5,
  timer: 6,
  crash: 7,
  restart: 8,
  pause: 9,
  resume: 10,
  fault: 11,
  heal: 12,
  action: 13,
};

export interface TraceEntry {
  /** True (simulation) time, in microseconds since the run began. */
  readonly timeUs: number;
  readonly kind: TraceKind;
  /** The node it happened at ("" for the network or the scenario). */
  readonly node: string;
  /** The other end: the sender of a delivery, the receiver of a send ("" if none). */
  readonly peer: string;
  /** A message or timer id, or a description of a fault. */
  readonly detail: number | string;
}

export class Trace {
  readonly #keep: number;
  readonly #ring: TraceEntry[] = [];
  #next = 0;
  #count = 0;
  #h1 = 0x811c9dc5;
  #h2 = 0x9747b28c;

  constructor(keep: number) {
    this.#keep = keep;
  }

  /** Entries recorded since the run began (all of them, not only those kept). */
  get count(): number {
    return this.#count;
  }

  /** The 64-bit fingerprint of every entry so far, as 16 hex digits. */
  get hash(): string {
    return hex32(fmix(this.#h1)) + hex32(fmix(this.#h2 ^ this.#count));
  }

  /** The last entries kept, oldest first. */
  entries(): readonly TraceEntry[] {
    if (this.#ring.length < this.#keep) return this.#ring.slice();
    return [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
  }

  /**
   * Records one entry. `nodeIndex`/`peerIndex` are the hashed identities (the
   * names are kept only for printing); a string detail is hashed character by
   * character.
   */
  record(
    timeUs: number,
    kind: TraceKind,
    nodeIndex: number,
    peerIndex: number,
    detail: number | string,
    node: string,
    peer: string,
  ): void {
    this.#count++;
    this.#mix(kindCodes[kind]);
    this.#mix(timeUs % 0x1_0000_0000);
    this.#mix(Math.floor(timeUs / 0x1_0000_0000));
    this.#mix(nodeIndex);
    this.#mix(peerIndex);
    if (typeof detail === "number") this.#mix(detail);
    else for (let i = 0; i < detail.length; i++) this.#mix(detail.charCodeAt(i));
    if (this.#keep === 0) return;
    const entry: TraceEntry = { timeUs, kind, node, peer, detail };
    if (this.#ring.length < this.#keep) this.#ring.push(entry);
    else this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#keep;
  }

  #mix(word: number): void {
    this.#h1 = Math.imul(this.#h1 ^ word, 0x01000193);
    this.#h2 = Math.imul(this.#h2 ^ word, 0x5bd1e995) ^ (this.#h2 >>> 15);
  }
}

/** Murmur3's 32-bit finalizer: spreads every input bit over the output. */
function fmix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const hexDigits = "0123456789abcdef";

function hex32(word: number): string {
  let out = "";
  for (let shift = 28; shift >= 0; shift -= 4) out += hexDigits.charAt((word >>> shift) & 0xf);
  return out;
}

/** Formats entries as lines (`  12.345ms deliver n2 <- n1 #17`), for failure messages. */
export function formatTrace(entries: readonly TraceEntry[]): string {
  return entries
    .map((e) => {
      const arrow = e.peer === "" ? "" : e.kind === "send" ? ` -> ${e.peer}` : ` <- ${e.peer}`;
      const detail = typeof e.detail === "number" ? `#${e.detail}` : e.detail;
      return `${(e.timeUs / 1000).toFixed(3).padStart(12)}ms ${e.kind.padEnd(9)} ${e.node}${arrow} ${detail}`;
    })
    .join("\n");
}
