/**
 * One direction of the path between two nodes, with the faults of
 * ../../../../shared/CHAPTER.txt section 2.1: a message may be lost, wait in a
 * queue, be duplicated, overtake another, or be held while the link is
 * clogged; a cut link (a partition) loses everything. Modelled on the paths
 * of TigerBeetle's packet simulator (loss, replay, clogging, a bounded
 * capacity) and FoundationDB's `clogPair`.
 *
 * Queueing: a link sends one message every `transmitMs` (its bandwidth), so a
 * burst waits behind itself and a congested link delays more; past `queueMax`
 * messages in flight it drops, as a full switch buffer does. Links are
 * directed: a -> b and b -> a are two links, so one-way faults are natural.
 */
import { describeValue, type Random } from "@skew/env";
import { delayMaxMs, linkQueueMaxDefault } from "../constants.js";
import type { SimEvent } from "../queue.js";
import { msToUsRound } from "../time.js";
import { checkInteger, checkProbability } from "../validate.js";
import { checkDelayModel, type DelayModel, delayDefault, sampleDelayUs } from "./delay.js";

export interface LinkModel {
  readonly delay: DelayModel;
  /** Probability that a message is silently lost. */
  readonly lossProbability: number;
  /** Probability that a message is delivered twice (each copy draws its own delay). */
  readonly duplicateProbability: number;
  /** True: messages arrive in the order sent (a TCP stream). False: datagrams may overtake each other. */
  readonly ordered: boolean;
  /** Time to put one message on the wire; back-to-back messages queue behind each other. 0: unlimited bandwidth. */
  readonly transmitMs: number;
  /** Messages in flight beyond which new ones are dropped (a full switch buffer). */
  readonly queueMax: number;
}

export const linkModelDefault: LinkModel = {
  delay: delayDefault,
  lossProbability: 0,
  duplicateProbability: 0,
  ordered: false,
  transmitMs: 0,
  queueMax: linkQueueMaxDefault,
};

/** Validates a partial model and lays it over `base`. */
export function mergeLinkModel(where: string, base: LinkModel, patch: Partial<LinkModel>): LinkModel {
  if (typeof patch !== "object" || patch === null) throw new TypeError(`${where}: expected a link model object`);
  const model: LinkModel = { ...base, ...patch };
  checkDelayModel(`${where}: delay`, model.delay);
  checkProbability(`${where}: lossProbability`, model.lossProbability);
  checkProbability(`${where}: duplicateProbability`, model.duplicateProbability);
  if (typeof model.ordered !== "boolean") throw new TypeError(`${where}: ordered must be a boolean`);
  if (typeof model.transmitMs !== "number" || !(model.transmitMs >= 0 && model.transmitMs <= delayMaxMs)) {
    throw new RangeError(`${where}: transmitMs must be in [0, ${delayMaxMs}], got ${describeValue(model.transmitMs)}`);
  }
  checkInteger(`${where}: queueMax`, model.queueMax, 1, Number.MAX_SAFE_INTEGER);
  return model;
}

export class Link {
  readonly from: number;
  readonly to: number;
  model: LinkModel;
  #transmitUs: number;
  readonly random: Random;
  /** Cut by a partition: every message sent or arriving is lost. */
  cut = false;
  /** While clogged, arriving messages are held (not lost) until this time. */
  clogUntilUs = 0;
  clogGeneration = 0;
  /** Messages held by a clog, in arrival order. */
  held: SimEvent[] = [];
  /** Messages sent on this link and not yet delivered, dropped or held. */
  inFlight = 0;
  #wireFreeUs = 0;
  #lastArrivalUs = 0;

  constructor(from: number, to: number, model: LinkModel, random: Random) {
    this.from = from;
    this.to = to;
    this.model = model;
    this.#transmitUs = msToUsRound(model.transmitMs);
    this.random = random;
  }

  configure(model: LinkModel): void {
    this.model = model;
    this.#transmitUs = msToUsRound(model.transmitMs);
  }

  /** Draws whether the next message is lost. */
  loses(): boolean {
    const p = this.model.lossProbability;
    return p > 0 && this.random.chance(p);
  }

  /** Draws whether the message just sent is duplicated. */
  duplicates(): boolean {
    const p = this.model.duplicateProbability;
    return p > 0 && this.random.chance(p);
  }

  get full(): boolean {
    return this.inFlight >= this.model.queueMax;
  }

  /** When a message sent at `nowUs` arrives: after the wire is free, plus its drawn delay, in order if ordered. */
  arrivalUs(nowUs: number): number {
    let departUs = nowUs;
    if (this.#transmitUs > 0) {
      departUs = Math.max(nowUs, this.#wireFreeUs) + this.#transmitUs;
      this.#wireFreeUs = departUs;
    }
    let arrivalUs = departUs + sampleDelayUs(this.model.delay, this.random);
    if (this.model.ordered) {
      arrivalUs = Math.max(arrivalUs, this.#lastArrivalUs);
      this.#lastArrivalUs = arrivalUs;
    }
    return arrivalUs;
  }
}
