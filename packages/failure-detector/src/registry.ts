/**
 * One failure detector per peer, under one roof: what a replica consults to
 * decide whether a primary is suspected (and a sloppy quorum should take a
 * fallback node, with a hint, in its place: Dynamo's hinted handoff). Akka's
 * `DefaultFailureDetectorRegistry` and Cassandra's `FailureDetector` (a map
 * of `ArrivalWindow`s) play this part.
 *
 * A peer is watched from its first heartbeat on; a peer never heard from is
 * neither monitored nor suspected (Akka's rule: there is nothing to judge it
 * by). To suspect a peer that never answers at all, record a heartbeat for it
 * when you start watching it: the detector's bootstrap then expects the next
 * one about one heartbeat period later.
 *
 * The registry is bounded (`peersMax`), since peers are named by messages
 * from the network; heartbeats from more strangers than that are refused with
 * `FAILURE_DETECTOR_PEERS_FULL`. Peers are listed in the order they were
 * first heard from, so that the same inputs give the same outputs.
 */
import { checkFinite, checkInteger, checkPeer } from "./check.js";
import { peersLimit, peersMaxDefault } from "./constants.js";
import type { FailureDetector } from "./detector.js";
import { FailureDetectorError } from "./errors.js";

export interface RegistryOptions {
  /** The most peers watched at once; in [1, 1048576]. Default 1024. */
  readonly peersMax?: number;
}

export class FailureDetectorRegistry<D extends FailureDetector = FailureDetector> {
  readonly peersMax: number;
  readonly #create: (peer: string) => D;
  readonly #detectors = new Map<string, D>();

  /** `create` makes the detector for a peer at its first heartbeat, e.g. `() => new PhiAccrualDetector()`. */
  constructor(create: (peer: string) => D, options: RegistryOptions = {}) {
    if (typeof create !== "function") throw new TypeError("FailureDetectorRegistry: create must be a function");
    if (typeof options !== "object" || options === null) {
      throw new TypeError("FailureDetectorRegistry: expected options");
    }
    const peersMax = options.peersMax ?? peersMaxDefault;
    checkInteger("FailureDetectorRegistry", "peersMax", peersMax, 1, peersLimit);
    this.#create = create;
    this.peersMax = peersMax;
  }

  /** How many peers are watched. */
  get size(): number {
    return this.#detectors.size;
  }

  /** The watched peers, in the order they were first heard from. */
  get peers(): string[] {
    return [...this.#detectors.keys()];
  }

  /** The detector watching `peer`, to read its statistics; undefined if the peer is not watched. */
  detector(peer: string): D | undefined {
    checkPeer("FailureDetectorRegistry.detector", peer);
    return this.#detectors.get(peer);
  }

  /**
   * Records a heartbeat from `peer` that arrived at `nowMs`, and starts
   * watching the peer if this is its first. Throws `FailureDetectorError`
   * (`FAILURE_DETECTOR_PEERS_FULL`) for a new peer when `peersMax` are
   * watched already; nothing changes then.
   */
  heartbeat(peer: string, nowMs: number): void {
    checkPeer("FailureDetectorRegistry.heartbeat", peer);
    const known = this.#detectors.get(peer);
    if (known !== undefined) {
      known.heartbeat(nowMs);
      return;
    }
    checkFinite("FailureDetectorRegistry.heartbeat", "nowMs", nowMs);
    if (this.#detectors.size >= this.peersMax) {
      throw new FailureDetectorError(
        "FAILURE_DETECTOR_PEERS_FULL",
        `${this.peersMax} peers, then a heartbeat from ${peer}`,
      );
    }
    const detector = this.#create(peer);
    detector.heartbeat(nowMs);
    this.#detectors.set(peer, detector);
  }

  /** The peer's suspicion level at `nowMs`; 0 for a peer not watched. */
  phi(peer: string, nowMs: number): number {
    checkPeer("FailureDetectorRegistry.phi", peer);
    const detector = this.#detectors.get(peer);
    if (detector !== undefined) return detector.phi(nowMs);
    checkFinite("FailureDetectorRegistry.phi", "nowMs", nowMs);
    return 0;
  }

  /** False once the peer is suspected; true for a peer not watched. */
  isAvailable(peer: string, nowMs: number): boolean {
    checkPeer("FailureDetectorRegistry.isAvailable", peer);
    const detector = this.#detectors.get(peer);
    if (detector !== undefined) return detector.isAvailable(nowMs);
    checkFinite("FailureDetectorRegistry.isAvailable", "nowMs", nowMs);
    return true;
  }

  /** True once a heartbeat from `peer` has been recorded (and the peer not removed since). */
  isMonitoring(peer: string): boolean {
    checkPeer("FailureDetectorRegistry.isMonitoring", peer);
    return this.#detectors.has(peer);
  }

  /** The peers suspected at `nowMs`, in the order they were first heard from. */
  suspected(nowMs: number): string[] {
    checkFinite("FailureDetectorRegistry.suspected", "nowMs", nowMs);
    const suspected: string[] = [];
    for (const [peer, detector] of this.#detectors) if (!detector.isAvailable(nowMs)) suspected.push(peer);
    return suspected;
  }

  /**
   * The earliest time after `nowMs` at which a peer not yet suspected will be,
   * if no heartbeat arrives first; undefined if there is none. A driver sets
   * its next timer here.
   */
  nextSuspicionAtMs(nowMs: number): number | undefined {
    checkFinite("FailureDetectorRegistry.nextSuspicionAtMs", "nowMs", nowMs);
    let earliest: number | undefined;
    for (const detector of this.#detectors.values()) {
      const at = detector.suspicionAtMs();
      if (at !== undefined && at > nowMs && (earliest === undefined || at < earliest)) earliest = at;
    }
    return earliest;
  }

  /** Stops watching `peer` (it left the cluster); true if it was watched. Its history is forgotten. */
  remove(peer: string): boolean {
    checkPeer("FailureDetectorRegistry.remove", peer);
    return this.#detectors.delete(peer);
  }
}
