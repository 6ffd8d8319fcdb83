/**
 * The clocks a node stamps last-write-wins writes with, one per mode, all
 * from Skew's clock packages (never copies of them), handed in by the
 * driver so the same node runs on a machine and in the simulator:
 *
 * - `lww-wall`: the coordinator's wall clock, as Cassandra stamps writes
 *   (section 3.3 of the chapter: it can order an effect before its cause);
 * - `lww-lamport`: a Lamport counter (Lamport 1978), moved past every stamp
 *   the node sees in a record or a client's context;
 * - `lww-hlc`: a hybrid logical clock (Kulkarni et al. 2014), moved past the
 *   timestamp of every message (each carries one) and every context;
 * - `lww-truetime`: the `latest` end of a TrueTime interval, after which the
 *   coordinator waits until the stamp has certainly passed before it
 *   acknowledges (Spanner's commit wait), so any write that starts after the
 *   acknowledgement is stamped higher.
 *
 * The result is a stamp time, or the reason this coordinator cannot stamp.
 */
import { err, ok, type Result, type WallClock } from "@skew/env";
import { type HybridLogicalClock, isTimestamp } from "@skew/hlc";
import { counterMax, type LamportClock } from "@skew/lamport";
import type { TrueTimeClock } from "@skew/truetime";
import { type Failure, failure } from "../errors.js";
import type { LwwMode } from "../modes.js";

export interface NodeClocks {
  readonly wall: WallClock;
  readonly hlc: HybridLogicalClock;
  readonly lamport: LamportClock;
  readonly truetime: TrueTimeClock;
}

/** A stamp time for a write in a `mode` bucket, after moving the clock past `seen` (a context's time) if it can be. */
export function stampTime(clocks: NodeClocks, mode: LwwMode, seen: number | undefined): Result<number, Failure> {
  switch (mode) {
    case "lww-wall":
      return ok(clocks.wall.now());
    case "lww-lamport":
      if (seen !== undefined) observeLamport(clocks.lamport, seen);
      return ok(clocks.lamport.tick());
    case "lww-hlc": {
      if (seen !== undefined) {
        if (!isTimestamp(seen)) return err(failure("INVALID_REQUEST", true, "the context is not an HLC timestamp"));
        const received = clocks.hlc.tryReceive(seen, "client-context");
        if (!received.ok) {
          return err(
            failure("CLOCK_OFFSET_EXCEEDED", true, `${received.error.offsetMs} ms ahead of this node's clock`),
          );
        }
      }
      return ok(clocks.hlc.now());
    }
    case "lww-truetime": {
      const now = clocks.truetime.tryNow();
      if (!now.ok) return err(failure("CLOCK_UNAVAILABLE", true, "the TrueTime clock has never been synchronized"));
      return ok(now.value.latest);
    }
  }
}

/** Moves a Lamport clock past a counter seen in a record (ignoring what no Lamport clock could have issued). */
export function observeLamport(lamport: LamportClock, time: number): void {
  if (Number.isSafeInteger(time) && time >= 0 && time < counterMax && time >= lamport.value) lamport.receive(time);
}
