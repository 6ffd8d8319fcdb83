/**
 * The deadlines of a node's coordinations, earliest first: a binary min-heap
 * of (time, sequence, operation), so that `nextWakeMs` (asked after every
 * input) and `tick` cost O(log n) per coordination rather than a walk over
 * every request in flight. Walking them made each input cost more the more
 * requests were waiting, which is backwards: an overloaded node would spend
 * the most time per input just when it has the least.
 *
 * Entries are never removed when their coordination settles; the node says
 * which operations are still live (`isLive`), and a settled one is dropped
 * when it reaches the top. So the heap holds at most the operations started
 * within one timeout of the oldest live one; `compact` rebuilds it from the
 * live ones when settled ones outnumber them, which bounds it by twice the
 * requests in flight (plus a constant).
 *
 * Ties in time are broken by sequence (the order the coordinations were
 * started), so that what a tick expires it expires in the order a walk over
 * the coordinations would have: the node stays deterministic in the same way.
 */
export class Deadlines {
  /** Settled entries tolerated beyond the live ones before `compact` rebuilds (tests lower it). */
  readonly #slack: number;
  #at: number[] = [];
  #seq: number[] = [];
  #op: string[] = [];

  constructor(options: { readonly compactSlack?: number } = {}) {
    this.#slack = options.compactSlack ?? 1024;
  }

  /** Entries held, settled ones included. */
  get size(): number {
    return this.#at.length;
  }

  push(atMs: number, seq: number, op: string): void {
    this.#at.push(atMs);
    this.#seq.push(seq);
    this.#op.push(op);
    this.#up(this.#at.length - 1);
  }

  /** The earliest deadline of a live operation, dropping settled ones from the top; undefined when none. */
  earliest(isLive: (op: string) => boolean): number | undefined {
    while (this.#at.length > 0) {
      if (isLive(this.#op[0] as string)) return this.#at[0];
      this.#pop();
    }
    return undefined;
  }

  /** Takes out every live operation due at `nowMs` (deadline <= nowMs), with its sequence; settled ones are dropped. */
  takeDue(nowMs: number, isLive: (op: string) => boolean): { readonly seq: number; readonly op: string }[] {
    const due: { seq: number; op: string }[] = [];
    while (this.#at.length > 0 && (this.#at[0] as number) <= nowMs) {
      const seq = this.#seq[0] as number;
      const op = this.#op[0] as string;
      this.#pop();
      if (isLive(op)) due.push({ seq, op });
    }
    return due;
  }

  /** Keeps the live entries only, when settled ones are more than `live` (+ the slack): amortized O(1) a push. */
  compact(live: number, isLive: (op: string) => boolean): void {
    if (this.#at.length <= 2 * live + this.#slack) return;
    const at: number[] = [];
    const seq: number[] = [];
    const op: string[] = [];
    for (let i = 0; i < this.#at.length; i++) {
      if (!isLive(this.#op[i] as string)) continue;
      at.push(this.#at[i] as number);
      seq.push(this.#seq[i] as number);
      op.push(this.#op[i] as string);
    }
    this.#at = at;
    this.#seq = seq;
    this.#op = op;
    for (let i = (at.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  #before(i: number, j: number): boolean {
    const a = this.#at[i] as number;
    const b = this.#at[j] as number;
    return a < b || (a === b && (this.#seq[i] as number) < (this.#seq[j] as number));
  }

  #swap(i: number, j: number): void {
    const at = this.#at[i] as number;
    this.#at[i] = this.#at[j] as number;
    this.#at[j] = at;
    const seq = this.#seq[i] as number;
    this.#seq[i] = this.#seq[j] as number;
    this.#seq[j] = seq;
    const op = this.#op[i] as string;
    this.#op[i] = this.#op[j] as string;
    this.#op[j] = op;
  }

  #pop(): void {
    const last = this.#at.length - 1;
    if (last > 0) this.#swap(0, last);
    this.#at.pop();
    this.#seq.pop();
    this.#op.pop();
    if (last > 0) this.#down(0);
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#at.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.#before(right, left) ? right : left;
      if (!this.#before(child, i)) return;
      this.#swap(i, child);
      i = child;
    }
  }
}
