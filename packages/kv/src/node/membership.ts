/**
 * Who is alive, as far as this node can tell: heartbeats out, phi in.
 *
 * Every `heartbeatIntervalMs` the node sends each other member a heartbeat;
 * every message it receives from a member (of any kind: a write proves
 * liveness as well as a heartbeat) is a heartbeat for that member's phi
 * accrual detector (@skew/failure-detector, Hayashibara et al. 2004, as Akka
 * runs it). A member is suspected once its phi reaches the threshold; the
 * coordinator then sends a write meant for it to a fallback, with a hint
 * (sloppy quorum, Dynamo section 4.6).
 *
 * The detector's window models heartbeat inter-arrival times, so a message
 * is recorded as a heartbeat only when half a period or more has passed
 * since the last one recorded: requests and repairs in between prove
 * nothing the next heartbeat will not, and their short intervals would
 * widen the window's spread and slow detection (measured: with every
 * message recorded, a crash was suspected ~1.2 s after the last heartbeat
 * instead of ~1.06 s). A busy peer whose heartbeats are stuck behind
 * traffic still looks alive: its other messages are recorded then.
 *
 * Members start out watched: at the first input the node handles, it records
 * a heartbeat for every member, so that one that never speaks at all is
 * suspected about one suspicion delay later instead of never (the
 * registry's documented way to watch a silent peer).
 *
 * Clock offsets. A heartbeat carries the sender's wall clock reading; the
 * receiver subtracts its own at receipt. The estimate is low by the one-way
 * delay (the reading is that old when it arrives; plus any time the
 * heartbeat waited behind a write batch being synced), so on a LAN it is
 * good to a millisecond or so; it is for an operator's view (`/cluster`),
 * never for ordering anything. The HLC timestamp every message carries would
 * not do: its wall part is the largest wall time the sender has heard of,
 * which after a round of heartbeats is the fastest clock in the cluster, not
 * the sender's.
 */
import { describeValue } from "@skew/env";
import { FailureDetectorRegistry, PhiAccrualDetector, type PhiAccrualOptions } from "@skew/failure-detector";
import {
  acceptablePauseHeartbeats,
  heartbeatIntervalMsMax,
  heartbeatIntervalMsMin,
  minStdDeviationHeartbeatRatio,
  suspicionThresholdPhi,
} from "../constants.js";

/** One member as this node sees it (read only, for a dashboard and tests). */
export interface PeerView {
  readonly peer: string;
  /** The suspicion level now: 0 right after a message, rising while none comes. */
  readonly phi: number;
  readonly suspected: boolean;
  /**
   * When the last heartbeat was recorded for the peer (a message at least half a period after the one before),
   * on this node's monotonic clock; undefined before the first input.
   */
  readonly lastHeartbeatMs: number | undefined;
  /** When the peer will be suspected if nothing arrives first (monotonic ms); undefined once it is. */
  readonly suspicionAtMs: number | undefined;
  /**
   * The peer's wall clock minus ours, in ms, from its latest heartbeat (low by
   * the one-way delay); undefined before its first heartbeat.
   */
  readonly clockOffsetMs: number | undefined;
}

/** The detector's tuning for a heartbeat interval, as @skew/failure-detector documents it. */
export function detectorOptionsFor(heartbeatIntervalMs: number): PhiAccrualOptions {
  return {
    thresholdPhi: suspicionThresholdPhi,
    firstHeartbeatEstimateMs: heartbeatIntervalMs,
    acceptablePauseMs: acceptablePauseHeartbeats * heartbeatIntervalMs,
    minStdDeviationMs: heartbeatIntervalMs * minStdDeviationHeartbeatRatio,
  };
}

export class Membership {
  readonly heartbeatIntervalMs: number;
  /** Every member but this node, in ring order. */
  readonly peers: readonly string[];
  readonly #registry: FailureDetectorRegistry<PhiAccrualDetector>;
  readonly #offsets = new Map<string, number>();
  /** Peers watched since start on a stand-in heartbeat, not heard from yet. */
  readonly #unheard = new Set<string>();
  /** When heartbeats are next due; undefined before the first input. */
  #heartbeatDueMs: number | undefined;

  constructor(selfId: string, members: readonly string[], heartbeatIntervalMs: number) {
    if (
      typeof heartbeatIntervalMs !== "number" ||
      !(heartbeatIntervalMs >= heartbeatIntervalMsMin && heartbeatIntervalMs <= heartbeatIntervalMsMax)
    ) {
      throw new RangeError(
        `KvNode: heartbeatIntervalMs must be in [${heartbeatIntervalMsMin}, ${heartbeatIntervalMsMax}], got ${describeValue(heartbeatIntervalMs)}`,
      );
    }
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.peers = members.filter((member) => member !== selfId);
    const options = detectorOptionsFor(heartbeatIntervalMs);
    this.#registry = new FailureDetectorRegistry(() => new PhiAccrualDetector(options), {
      peersMax: Math.max(1, this.peers.length),
    });
  }

  /** A message from `peer` arrived at `nowMs`: it is alive. */
  heard(peer: string, nowMs: number): void {
    this.#begin(nowMs);
    if (!this.peers.includes(peer)) return;
    // The first word from a peer replaces the stand-in heartbeat recorded at start: the time between the two is
    // not an interval the peer took, and a near-zero sample would widen the window's spread for a long while.
    if (this.#unheard.delete(peer)) this.#registry.remove(peer);
    const last = this.#registry.detector(peer)?.lastHeartbeatMs;
    // Samples at most every half period: the window models heartbeat inter-arrival times, and the other
    // traffic between two heartbeats would fill it with short intervals, widen its spread, and slow detection.
    if (last !== undefined && nowMs - last < this.heartbeatIntervalMs / 2) return;
    this.#registry.heartbeat(peer, nowMs);
  }

  /** A heartbeat from `peer` carried its wall clock `peerWallMs`; ours read `ourWallMs` at receipt. */
  measureOffset(peer: string, peerWallMs: number, ourWallMs: number): void {
    this.#offsets.set(peer, peerWallMs - ourWallMs);
  }

  /** True once `peer`'s phi has reached the threshold. This node itself is never suspected. */
  isSuspected(peer: string, nowMs: number): boolean {
    this.#begin(nowMs);
    return this.peers.includes(peer) && !this.#registry.isAvailable(peer, nowMs);
  }

  suspected(nowMs: number): string[] {
    this.#begin(nowMs);
    return this.#registry.suspected(nowMs);
  }

  /** The peers to send a heartbeat to now (all of them when one is due, else none). */
  heartbeatsDue(nowMs: number): readonly string[] {
    this.#begin(nowMs);
    if (nowMs < (this.#heartbeatDueMs as number)) return [];
    // From now, not from when it was due: a node resuming from a pause sends one round, not a burst.
    this.#heartbeatDueMs = nowMs + this.heartbeatIntervalMs;
    return this.peers;
  }

  /** When `tick` has membership work: a heartbeat due, or a peer about to be suspected. */
  nextWakeMs(nowMs: number): number {
    if (this.#heartbeatDueMs === undefined) return nowMs;
    const suspicion = this.#registry.nextSuspicionAtMs(nowMs);
    return suspicion === undefined ? this.#heartbeatDueMs : Math.min(this.#heartbeatDueMs, suspicion);
  }

  /** Reads only: before the first input every peer shows phi 0, unsuspected, never heard from. */
  view(nowMs: number): PeerView[] {
    return this.peers.map((peer) => {
      const detector = this.#registry.detector(peer);
      const suspicionAtMs = detector?.suspicionAtMs();
      return {
        peer,
        phi: this.#registry.phi(peer, nowMs),
        suspected: !this.#registry.isAvailable(peer, nowMs),
        lastHeartbeatMs: detector?.lastHeartbeatMs,
        suspicionAtMs: suspicionAtMs !== undefined && suspicionAtMs > nowMs ? suspicionAtMs : undefined,
        clockOffsetMs: this.#offsets.get(peer),
      };
    });
  }

  /** At the first input: watch every member from now, and send the first heartbeats at once. */
  #begin(nowMs: number): void {
    if (this.#heartbeatDueMs !== undefined) return;
    this.#heartbeatDueMs = nowMs;
    for (const peer of this.peers) {
      this.#registry.heartbeat(peer, nowMs);
      this.#unheard.add(peer);
    }
  }
}
