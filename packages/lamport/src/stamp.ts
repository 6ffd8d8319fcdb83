/**
 * A Lamport timestamp: the counter of an event and the node it happened on.
 *
 * Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System"
 * (CACM 21(7), 1978), "Ordering the Events Totally": counters alone order
 * events only partially, since concurrent events may carry the same counter.
 * Breaking ties by any fixed order of the processes (here, of node ids) gives
 * a total order that extends happened-before, the order a replicated state
 * machine or a last-write-wins register needs. As long as node ids are unique
 * and a node's counter never goes back, no two events share a stamp.
 *
 * The text form, `<counter in 16 zero-padded digits>@<node id>`, sorts as text
 * and as UTF-8 bytes exactly as the stamps do, so a stamp can be the key of an
 * ordered store without decoding it.
 */
import { err, type Ordering, ok, orderingOfSign, type Result } from "@skew/env";
import { counterDigits, counterMax, stampBytesMax, stampBytesMin, stampSeparator } from "./constants.js";
import { type LamportError, malformedStamp } from "./errors.js";
import { checkCounter, checkNodeId, nodeIdProblem } from "./validate.js";

const counterPadding = "0".repeat(counterDigits);

// The rest of the package reaches a stamp's private slots only through these, set by the class's static block.
let newCheckedStamp: (counter: number, nodeId: string) => LamportStamp;
let counterOf: (stamp: LamportStamp) => number;
let order: (a: LamportStamp, b: LamportStamp) => number;

/**
 * An immutable pair of counter and node id, ordered by counter, then by node
 * id. The fields are private slots behind getters, as in Temporal: as
 * immutable as a frozen object, and a third of the cost to create
 * (`Object.freeze` alone costs more than the whole stamp does).
 */
export class LamportStamp {
  readonly #counter: number;
  readonly #nodeId: string;

  private constructor(counter: number, nodeId: string) {
    this.#counter = counter;
    this.#nodeId = nodeId;
  }

  static {
    newCheckedStamp = (counter, nodeId) => new LamportStamp(counter, nodeId);
    // Reading a private slot of anything but a LamportStamp throws a TypeError: the language checks
    // the argument, for free (an `instanceof` here would cost twice the comparison it guards).
    counterOf = (stamp) => stamp.#counter;
    order = (a, b) => {
      if (a.#counter !== b.#counter) return a.#counter < b.#counter ? -1 : 1;
      return a.#nodeId < b.#nodeId ? -1 : a.#nodeId > b.#nodeId ? 1 : 0;
    };
  }

  /** The stamp of `counter` (an integer in [0, counterMax]) on `nodeId`; throws `TypeError` or `RangeError` otherwise. */
  static of(counter: number, nodeId: string): LamportStamp {
    return new LamportStamp(
      checkCounter(counter, "LamportStamp.of", "the counter"),
      checkNodeId(nodeId, "LamportStamp.of"),
    );
  }

  /**
   * Reads the text form that `toString()` writes, and nothing else: one stamp
   * has one text, so texts can be compared, hashed and deduplicated as they
   * are. Text from the outside is an expected failure, returned as a
   * `LAMPORT_MALFORMED` error; a counter past `counterMax` is one of them.
   */
  static parse(text: string): Result<LamportStamp, LamportError> {
    if (typeof text !== "string") throw new TypeError(`LamportStamp.parse: expected a string, got ${typeof text}`);
    if (text.length < stampBytesMin || text.length > stampBytesMax) {
      return err(malformedStamp(text, `expected ${stampBytesMin} to ${stampBytesMax} characters`));
    }
    if (text[counterDigits] !== stampSeparator) {
      return err(malformedStamp(text, `expected ${counterDigits} digits, then "${stampSeparator}"`));
    }
    // Exact while the digits read so far stay below 2^53; past it, rounding is monotone and
    // 2^53 is a double, so a counter beyond counterMax cannot round back below it.
    let counter = 0;
    for (let i = 0; i < counterDigits; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (!(digit >= 0 && digit <= 9)) {
        return err(malformedStamp(text, `expected ${counterDigits} digits, then "${stampSeparator}"`));
      }
      counter = counter * 10 + digit;
    }
    if (counter > counterMax) return err(malformedStamp(text, `the counter is past counterMax (${counterMax})`));
    const nodeId = text.slice(counterDigits + 1);
    const problem = nodeIdProblem(nodeId);
    if (problem !== undefined) return err(malformedStamp(text, problem));
    return ok(new LamportStamp(counter, nodeId));
  }

  /** The counter of the event: an integer in [0, counterMax]. */
  get counter(): number {
    return this.#counter;
  }

  /** The node the event happened on. */
  get nodeId(): string {
    return this.#nodeId;
  }

  /** Where this stamp stands in the total order: `before`, `after` or `equal`; never `concurrent`. */
  compare(other: LamportStamp): Ordering {
    return orderingOfSign(order(this, other));
  }

  equals(other: LamportStamp): boolean {
    return this.#counter === other.#counter && this.#nodeId === other.#nodeId;
  }

  /** The text form: the counter in 16 zero-padded digits, "@", the node id ("0000000000000042@node-a"). */
  toString(): string {
    const digits = String(this.#counter);
    return `${counterPadding.slice(digits.length)}${digits}${stampSeparator}${this.#nodeId}`;
  }

  /** `JSON.stringify` writes the text form, as Temporal's values do; `LamportStamp.parse` reads it back. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * The total order as a comparator for `Array.prototype.sort`: negative when
 * `a` comes first, positive when `b` does, 0 for equal stamps.
 */
export function compareLamportStamps(a: LamportStamp, b: LamportStamp): number {
  return order(a, b);
}

/** The counter of a stamp; a `TypeError` for anything that is not a stamp, even one that has a `counter` field. */
export function counterOfStamp(stamp: LamportStamp): number {
  return counterOf(stamp);
}

/** A stamp from a counter and a node id that the caller has already checked. */
export function checkedStamp(counter: number, nodeId: string): LamportStamp {
  return newCheckedStamp(counter, nodeId);
}
