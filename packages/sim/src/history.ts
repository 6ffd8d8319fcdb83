/**
 * A history of client operations in Jepsen's form, the input its checkers
 * (Knossos, Elle) take: every operation is an `invoke` followed by exactly
 * one completion from the same process: `ok` (it happened), `fail` (it
 * definitely did not happen) or `info` (outcome unknown: it may or may not
 * have happened, and may still happen later). A process has at most one
 * operation outstanding; a client that gives up on an operation with `info`
 * must use a fresh process for the next one, as Jepsen requires, because the
 * old operation may still be in flight.
 *
 * Times are true simulation time (microseconds), which no node can read:
 * a checker may use them for real-time order (linearizability) without
 * trusting any node's clock.
 */
import { describeValue } from "@skew/env";

export type OpType = "invoke" | "ok" | "fail" | "info";

export interface Op {
  /** Position in the history, from 0. */
  readonly index: number;
  readonly type: OpType;
  /** The logical client (Jepsen's `:process`). */
  readonly process: string | number;
  /** The function: "read", "write", "cas", ... */
  readonly f: string;
  readonly value: unknown;
  /** True simulation time in microseconds. */
  readonly timeUs: number;
}

export class History {
  readonly #nowUs: () => number;
  readonly #ops: Op[] = [];
  readonly #pending = new Map<string | number, Op>();
  readonly #retired = new Set<string | number>();

  constructor(nowUs: () => number) {
    this.#nowUs = nowUs;
  }

  /** Records the start of an operation; returns its index. */
  invoke(process: string | number, f: string, value?: unknown): number {
    checkProcess("History.invoke", process);
    if (typeof f !== "string" || f === "") throw new TypeError("History.invoke: f must be a non-empty string");
    if (this.#pending.has(process)) {
      throw new TypeError(`History.invoke: process ${String(process)} already has an operation outstanding`);
    }
    if (this.#retired.has(process)) {
      throw new TypeError(`History.invoke: process ${String(process)} ended with info; use a new process`);
    }
    const op = this.#append("invoke", process, f, value);
    this.#pending.set(process, op);
    return op.index;
  }

  /** The operation outstanding for `process` happened; `value` is what it returned (a read's result). */
  ok(process: string | number, value?: unknown): void {
    this.#complete("ok", process, value);
  }

  /** The operation definitely did not take effect. */
  fail(process: string | number, value?: unknown): void {
    this.#complete("fail", process, value);
  }

  /** The outcome is unknown (a timeout, a lost reply). The process may not invoke again. */
  info(process: string | number, value?: unknown): void {
    this.#complete("info", process, value);
    this.#retired.add(process);
  }

  /** Ends every outstanding operation with `info`, as Jepsen does when a test stops. */
  closePending(): void {
    for (const process of [...this.#pending.keys()]) this.info(process);
  }

  get ops(): readonly Op[] {
    return this.#ops;
  }

  /** Processes with an operation outstanding. */
  get pending(): readonly (string | number)[] {
    return [...this.#pending.keys()];
  }

  /** One JSON object per line (Jepsen's fields; `time` in microseconds). */
  toJsonLines(): string {
    return this.#ops
      .map((op) =>
        JSON.stringify({
          index: op.index,
          type: op.type,
          process: op.process,
          f: op.f,
          value: op.value,
          time: op.timeUs,
        }),
      )
      .join("\n");
  }

  #complete(type: OpType, process: string | number, value: unknown): void {
    checkProcess(`History.${type}`, process);
    const invoked = this.#pending.get(process);
    if (invoked === undefined) {
      throw new TypeError(`History.${type}: process ${String(process)} has no operation outstanding`);
    }
    this.#pending.delete(process);
    this.#append(type, process, invoked.f, value === undefined ? invoked.value : value);
  }

  #append(type: OpType, process: string | number, f: string, value: unknown): Op {
    const op: Op = Object.freeze({ index: this.#ops.length, type, process, f, value, timeUs: this.#nowUs() });
    this.#ops.push(op);
    return op;
  }
}

function checkProcess(where: string, process: string | number): void {
  if (typeof process !== "string" && !Number.isSafeInteger(process)) {
    throw new TypeError(`${where}: process must be a string or an integer, got ${describeValue(process)}`);
  }
}
