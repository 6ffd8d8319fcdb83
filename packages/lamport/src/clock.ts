/**
 * A Lamport clock: the logical clock of Lamport, "Time, Clocks, and the
 * Ordering of Events in a Distributed System" (CACM 21(7), 1978).
 *
 * Physical clocks drift and step, so their timestamps can put an effect before
 * its cause, and last-write-wins then throws the later write away (the
 * chapter's "Timestamps for ordering events"). A Lamport clock counts events
 * instead, by the two implementation rules of the paper's "Logical Clocks":
 *
 * - IR1: a node increments its counter between any two of its events (`tick`, `send`);
 * - IR2: a message carries the sender's counter, and the receiver moves its
 *   counter past both its own and the message's (`receive`: max + 1).
 *
 * Together they give the clock condition: if event a happened before event b,
 * then C(a) < C(b). The converse does not hold: C(a) < C(b) may join two
 * concurrent events, and only a vector clock (@skew/vector) can tell.
 *
 * The counter is a plain number (`tick` and `receive` return it, allocating
 * nothing); a `LamportStamp` adds the node id, which the total order needs,
 * when an event's stamp must leave the node (`send`, `stamp`).
 */
import { counterMax } from "./constants.js";
import { counterOverflow } from "./errors.js";
import { checkedStamp, counterOfStamp, type LamportStamp } from "./stamp.js";
import { checkCounter, checkNodeId } from "./validate.js";

export interface LamportClockOptions {
  /**
   * The counter to start from: a value persisted before a restart, so that
   * the node never stamps two events alike. Default 0: no event yet.
   */
  readonly counter?: number;
}

export class LamportClock {
  readonly #nodeId: string;
  #counter: number;

  /** A clock for the node `nodeId`: 1 to `nodeIdBytesMax` (64) of `[A-Za-z0-9._:-]`, unique among the nodes. */
  constructor(nodeId: string, options: LamportClockOptions = {}) {
    this.#nodeId = checkNodeId(nodeId, "LamportClock");
    this.#counter =
      options.counter === undefined ? 0 : checkCounter(options.counter, "LamportClock", "options.counter");
  }

  get nodeId(): string {
    return this.#nodeId;
  }

  /** The counter of this node's latest event (0 before the first). */
  get value(): number {
    return this.#counter;
  }

  /** A local event (IR1): advances the counter by one and returns it. */
  tick(): number {
    return this.#advance("LamportClock.tick");
  }

  /** Sending a message is an event too: ticks, and returns the stamp to put in the message. */
  send(): LamportStamp {
    return checkedStamp(this.#advance("LamportClock.send"), this.#nodeId);
  }

  /**
   * Receiving a message (IR2): moves the counter past both its own value and
   * the message's, and returns it. A stamp from the past never moves the
   * counter back. A counter at `counterMax` (which a faulty peer can send)
   * throws `LAMPORT_COUNTER_OVERFLOW` and leaves the clock unchanged, so the
   * message can be dropped and the clock used on.
   */
  receive(remote: LamportStamp | number): number {
    const remoteCounter =
      typeof remote === "number"
        ? checkCounter(remote, "LamportClock.receive", "the remote counter")
        : counterOfStamp(remote);
    const latest = Math.max(remoteCounter, this.#counter);
    if (latest === counterMax) throw counterOverflow("LamportClock.receive", latest);
    this.#counter = latest + 1;
    return this.#counter;
  }

  /** The stamp of this node's latest event, without a new event. */
  stamp(): LamportStamp {
    return checkedStamp(this.#counter, this.#nodeId);
  }

  #advance(operation: string): number {
    if (this.#counter === counterMax) throw counterOverflow(operation, this.#counter);
    this.#counter += 1;
    return this.#counter;
  }
}
