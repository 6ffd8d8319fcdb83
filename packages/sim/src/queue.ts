/**
 * The event queue at the heart of every discrete-event simulator (FoundationDB's
 * `Sim2` task queue, TigerBeetle's packet simulator): a binary min-heap of
 * events ordered by (time, sequence). The sequence number is assigned on push
 * and breaks ties in insertion order, so two events due at the same
 * microsecond always run in the same order, on every run with the same seed.
 *
 * Events are one class with one shape (the run loop is the hot path, and a
 * monomorphic object keeps V8's property access inline); `kind` says which
 * fields mean what.
 */

export const EventKind = {
  /** A message arrives at `node` from `peer`; `payload` is the message, `id` its message id. */
  Deliver: 0,
  /** A node's timer fires; `id` is the timer id, `incarnation` the process it belongs to, `action` the callback. */
  Timer: 1,
  /** A node starts (first time or after a restart); `incarnation` is the new process. */
  Start: 2,
  /** A node that was paused or limping may handle its next deferred event; `id` is its wake generation. */
  Wake: 3,
  /** A link's clog ends; `node` and `peer` name the link, `id` its clog generation. */
  Unclog: 4,
  /** A scheduled action of the simulation or the scenario (a fault, a heal, a clock step): `action` runs. */
  Action: 5,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

export class SimEvent {
  timeUs: number;
  seq = 0;
  readonly kind: EventKind;
  readonly node: number;
  readonly peer: number;
  readonly id: number;
  readonly incarnation: number;
  readonly payload: unknown;
  readonly action: (() => void) | null;
  cancelled = false;

  constructor(
    timeUs: number,
    kind: EventKind,
    node: number,
    peer: number,
    id: number,
    incarnation: number,
    payload: unknown,
    action: (() => void) | null,
  ) {
    this.timeUs = timeUs;
    this.kind = kind;
    this.node = node;
    this.peer = peer;
    this.id = id;
    this.incarnation = incarnation;
    this.payload = payload;
    this.action = action;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.seq < b.seq);
}

export class EventQueue {
  readonly #heap: SimEvent[] = [];
  #nextSeq = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Stamps `event` with the next sequence number and inserts it. */
  push(event: SimEvent): void {
    event.seq = this.#nextSeq++;
    const heap = this.#heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as SimEvent;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  peek(): SimEvent | undefined {
    return this.#heap[0];
  }

  pop(): SimEvent | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      let c = heap[left] as SimEvent;
      if (right < n) {
        const r = heap[right] as SimEvent;
        if (before(r, c)) {
          child = right;
          c = r;
        }
      }
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
