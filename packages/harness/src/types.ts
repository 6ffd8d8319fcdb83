/** The vocabulary of a benchmark: its cases, their goals, and the records a run produces. */
/** What a case must achieve; every field given is checked. */
export interface BenchGoal {
  /** ns/op divided by the baseline's ns/op must not exceed this (1.05 = within 5% of the floor). */
  readonly maxRatio?: number;
  /** The baseline's ns/op divided by this case's must be at least this (15 = 15x faster than the peer). */
  readonly minSpeedup?: number;
  /** Absolute ceiling in ns/op. */
  readonly maxNs?: number;
  /** Heap bytes allocated per call must not exceed this (0 = allocation-free). */
  readonly maxBytesPerOp?: number;
  /**
   * Heap bytes per call beyond the baseline's (0 = allocates nothing the
   * floor does not). Date.now() itself returns a freshly boxed double, so a
   * clock read can only promise to add nothing to that.
   */
  readonly maxExtraBytesPerOp?: number;
}

export interface BenchCase {
  /** The operation, shared by every case that does the same job ("now()", "compare 16 entries"). */
  readonly group: string;
  /** What runs ("@skew/hlc HybridLogicalClock.now()", "Date.now()", "@consento/hlc now()"). */
  readonly name: string;
  /** `floor`: the cost the operation cannot go below; `peer`: another package doing the job; default `subject`. */
  readonly role?: "subject" | "floor" | "peer";
  /**
   * The operation. Its result is passed to mitata's `do_not_optimize`. Rotate
   * inputs inside it (index into a prepared array): a constant input lets the
   * JIT hoist the work out of the loop.
   */
  readonly fn: () => unknown;
  /**
   * What the ratio is taken against: a case name in the group, or by default
   * the group's floor, or failing that its fastest peer.
   */
  readonly baseline?: string;
  readonly goal?: BenchGoal;
  /** Also measure heap bytes allocated per call. */
  readonly allocation?: boolean;
}

export interface BenchRecord {
  readonly package: string;
  readonly group: string;
  readonly name: string;
  readonly role: "subject" | "floor" | "peer";
  /** Median over samples of the mean ns per call within a sample (a batch of calls; one call for an operation over 10 µs that mitata did not batch). */
  readonly nsPerOp: number;
  readonly avgNs: number;
  readonly p99Ns: number;
  readonly samples: number;
  readonly baseline: string | null;
  /** nsPerOp / baseline's nsPerOp. */
  readonly ratio: number | null;
  readonly bytesPerOp: number | null;
  readonly goal: string | null;
  /** Null without a goal, or when the goal is against a baseline this run did not measure (`--filter`). */
  readonly goalMet: boolean | null;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
}

export interface BenchOptions {
  /** Defaults to `process.argv.slice(2)`. */
  readonly argv?: readonly string[];
  /** Where the output goes; defaults to stdout. */
  readonly write?: (text: string) => void;
}
