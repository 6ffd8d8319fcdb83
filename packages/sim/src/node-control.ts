/**
 * The process faults a scenario can inflict on one node
 * (../../../shared/CHAPTER.txt 2.1 and 3.4): a pause (a stop-the-world GC or a
 * suspended VM: the node handles nothing, its timers fire late, incoming
 * messages queue up, and it does not notice), a crash (the process and its
 * volatile state are gone; the disk keeps what was synced, and may keep some
 * of what was not), a restart, a limp (alive but slow: each event takes
 * `serviceMs` to handle, so work queues up), and bit rot on its disk.
 */
import { describeValue } from "@skew/env";
import { faultDurationMaxMs } from "./constants.js";
import type { Kernel } from "./kernel.js";
import type { NodeHost } from "./node.js";
import type { SimStore, UnsyncedLoss } from "./storage.js";
import { msToUsCeil } from "./time.js";
import { checkDurationMs } from "./validate.js";

export interface PauseOptions {
  /**
   * `"runs"` (default): a GC pause; the clocks keep time. `"frozen"`: a VM
   * suspension; the wall clock stops during the pause and is that far behind
   * when the node resumes.
   */
  readonly clock?: "runs" | "frozen";
}

export interface CrashOptions {
  /** What happens to unsynced writes; default `"all"` (all lost). */
  readonly unsynced?: UnsyncedLoss;
  /** Restart the node this long after the crash; by default it stays down until `restart()`. */
  readonly restartAfterMs?: number;
}

const unsyncedLosses: readonly UnsyncedLoss[] = ["all", "some", "torn"];

export class NodeControl {
  readonly #kernel: Kernel<unknown>;
  readonly #node: NodeHost<unknown>;

  /** @internal Obtained from `Simulation.node(id)`. */
  constructor(kernel: Kernel<unknown>, node: NodeHost<unknown>) {
    this.#kernel = kernel;
    this.#node = node;
  }

  get id(): string {
    return this.#node.id;
  }

  /** False between a crash and the restart. */
  get up(): boolean {
    return this.#node.up;
  }

  get paused(): boolean {
    return this.#node.pausedUntilUs > this.#kernel.nowUs;
  }

  /** The current process's incarnation (1 for the first). */
  get incarnation(): number {
    return this.#node.incarnation;
  }

  /** The node's disk, for a test to inspect (or to tamper with). */
  get storage(): SimStore {
    return this.#node.store;
  }

  /** Events waiting for the node (paused, limping). */
  get queuedEvents(): number {
    return this.#node.deferredCount;
  }

  /** Stops the node for `durationMs` of true time (extending a pause in progress). A crashed node ignores it. */
  pause(durationMs: number, options: PauseOptions = {}): this {
    checkDurationMs("NodeControl.pause", durationMs, faultDurationMaxMs);
    const clock = options.clock ?? "runs";
    if (clock !== "runs" && clock !== "frozen") {
      throw new TypeError(`NodeControl.pause: clock must be "runs" or "frozen", got ${describeValue(clock)}`);
    }
    this.#kernel.pause(this.#node, msToUsCeil(durationMs), clock === "frozen");
    return this;
  }

  /** Ends a pause now; queued events are handled from now on, oldest first. */
  resume(): this {
    this.#kernel.resume(this.#node);
    return this;
  }

  /** Kills the process. Its timers die, queued events are lost, unsynced writes are lost as `unsynced` says. */
  crash(options: CrashOptions = {}): this {
    const unsynced = options.unsynced ?? "all";
    if (!unsyncedLosses.includes(unsynced)) {
      throw new TypeError(`NodeControl.crash: unsynced must be one of ${unsyncedLosses.join(", ")}`);
    }
    if (options.restartAfterMs !== undefined) {
      checkDurationMs("NodeControl.crash (restartAfterMs)", options.restartAfterMs, faultDurationMaxMs);
    }
    if (!this.#kernel.crash(this.#node, unsynced)) return this;
    if (options.restartAfterMs !== undefined) {
      const incarnation = this.#node.incarnation;
      this.#kernel.at(this.#kernel.nowUs + msToUsCeil(options.restartAfterMs), () => {
        if (!this.#node.up && this.#node.incarnation === incarnation) this.#kernel.restart(this.#node);
      });
    }
    return this;
  }

  /** Starts a new process (the factory is called again) on the same disk and clocks. Does nothing if up. */
  restart(): this {
    this.#kernel.restart(this.#node);
    return this;
  }

  /** Makes every event take `serviceMs` to handle (0 ends the limp). */
  limp(serviceMs: number): this {
    checkDurationMs("NodeControl.limp", serviceMs, faultDurationMaxMs);
    this.#kernel.limp(this.#node, msToUsCeil(serviceMs));
    return this;
  }

  /** Flips one bit of a durable value (under `key`, or a random key). Returns the key hit, if any. */
  corrupt(key?: string): string | undefined {
    if (key !== undefined && typeof key !== "string") throw new TypeError("NodeControl.corrupt: key must be a string");
    const hit = this.#node.store.corrupt(this.#node.random, key);
    this.#kernel.record(
      "fault",
      this.#node.index,
      -1,
      hit === undefined ? "corrupt: nothing stored" : `corrupt ${hit}`,
    );
    return hit;
  }
}
