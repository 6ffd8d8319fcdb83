/**
 * The classic failure detector the chapter starts from (2.4, 2.5): a peer is
 * declared dead once no heartbeat has arrived for `timeoutMs`. It is here to
 * be compared with the phi accrual detector under the same interface (Akka
 * ships one too, as `DeadlineFailureDetector`): a short timeout detects a
 * crash quickly and declares a paused-but-alive peer dead; a long one
 * tolerates the pause and is slow to detect the crash; neither moves when the
 * network does.
 *
 * Seen as an accrual detector it has two suspicion levels: 0 before the
 * timeout and +Infinity from it on.
 */
import { checkPositive, checkTime } from "./check.js";
import type { FailureDetector } from "./detector.js";

export interface FixedTimeoutOptions {
  /** Silence after which the peer is declared dead, in ms on the monitor's monotonic clock. */
  readonly timeoutMs: number;
}

export class FixedTimeoutDetector implements FailureDetector {
  readonly timeoutMs: number;
  /** NaN until the first heartbeat: a double from the start, so that storing a time never allocates. */
  #lastHeartbeatMs = Number.NaN;

  constructor(options: FixedTimeoutOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("FixedTimeoutDetector: expected options");
    checkPositive("FixedTimeoutDetector", "timeoutMs", options.timeoutMs);
    this.timeoutMs = options.timeoutMs;
  }

  get isMonitoring(): boolean {
    return !Number.isNaN(this.#lastHeartbeatMs);
  }

  get lastHeartbeatMs(): number | undefined {
    return Number.isNaN(this.#lastHeartbeatMs) ? undefined : this.#lastHeartbeatMs;
  }

  heartbeat(nowMs: number): void {
    checkTime("FixedTimeoutDetector.heartbeat", nowMs, this.#lastHeartbeatMs);
    this.#lastHeartbeatMs = nowMs;
  }

  phi(nowMs: number): number {
    return this.isAvailable(nowMs) ? 0 : Number.POSITIVE_INFINITY;
  }

  isAvailable(nowMs: number): boolean {
    checkTime("FixedTimeoutDetector.isAvailable", nowMs, this.#lastHeartbeatMs);
    // Before the first heartbeat the sum is NaN and the comparison false.
    return !(nowMs >= this.#lastHeartbeatMs + this.timeoutMs);
  }

  suspicionAtMs(): number | undefined {
    return Number.isNaN(this.#lastHeartbeatMs) ? undefined : this.#lastHeartbeatMs + this.timeoutMs;
  }
}
