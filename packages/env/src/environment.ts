import type { MonotonicClock, WallClock } from "./clock.js";
import type { Random } from "./random.js";
import type { Timers } from "./timers.js";

/**
 * Everything nondeterministic a core may need, handed in by its driver
 * (FoundationDB's `g_network`, without the global). `@skew/env/system` builds
 * the real one; `@skew/env/manual` a controllable one for tests; `@skew/sim`
 * one per simulated node.
 */
export interface Environment {
  readonly wall: WallClock;
  readonly monotonic: MonotonicClock;
  readonly timers: Timers;
  readonly random: Random;
}
