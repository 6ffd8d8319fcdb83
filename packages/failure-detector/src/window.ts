/**
 * The sliding window of heartbeat inter-arrival times that φ is estimated
 * from: a fixed ring buffer of the last `capacity` samples with running sums,
 * so that adding a sample and reading the mean and variance are O(1)
 * (Akka keeps the same sums over an immutable vector; Cassandra keeps a deque).
 *
 * Running sums of floating-point numbers drift: every removal subtracts a
 * rounded square from a rounded total, and the error never cancels. Akka
 * avoids it by keeping whole milliseconds in 64-bit integers; our times are
 * fractional milliseconds from any monotonic clock, so instead:
 *
 * - the sums are of samples minus a shift (the mean at the last
 *   recomputation), which keeps the sum of squares near n·σ² instead of
 *   n·(μ² + σ²): no catastrophic cancellation when σ is tiny next to μ
 *   (Chan, Golub and LeVeque's shifted data);
 * - every `capacity` additions, the sums are recomputed exactly from the
 *   buffer (two passes), which resets the drift. The cost is one pass over
 *   the window per window's worth of samples: O(1) amortized, and the error
 *   at any moment is bounded by the rounding of the last 2·capacity updates.
 *
 * Welford's update with removal was the alternative: it is no more exact
 * under removal (each removal's rounding stays forever, just the same), so it
 * too would need the periodic recomputation, and it costs a division per
 * sample.
 */
import { assert } from "@skew/env";

export class IntervalWindow {
  readonly capacity: number;
  readonly #samples: Float64Array;
  #count = 0;
  /** Where the next sample goes; once full, also the oldest sample's slot. */
  #next = 0;
  #shift = 0;
  /** Σ (x - shift) over the window. */
  #sum = 0;
  /** Σ (x - shift)² over the window. */
  #sumSquares = 0;
  #addsSinceExact = 0;

  constructor(capacity: number) {
    assert(Number.isInteger(capacity) && capacity >= 1, "a window holds at least one sample");
    this.capacity = capacity;
    this.#samples = new Float64Array(capacity);
  }

  get count(): number {
    return this.#count;
  }

  /** Mean of the samples in the window; NaN when empty. */
  get mean(): number {
    return this.#shift + this.#sum / this.#count;
  }

  /** Population variance of the samples in the window (never negative); NaN when empty. */
  get variance(): number {
    const meanShifted = this.#sum / this.#count;
    return Math.max(0, this.#sumSquares / this.#count - meanShifted * meanShifted);
  }

  /** Adds a sample, evicting the oldest once the window is full. */
  add(sample: number): void {
    if (this.#count === 0) this.#shift = sample;
    if (this.#count === this.capacity) {
      const evicted = (this.#samples[this.#next] ?? 0) - this.#shift;
      this.#sum -= evicted;
      this.#sumSquares -= evicted * evicted;
    } else {
      this.#count++;
    }
    this.#samples[this.#next] = sample;
    this.#next = this.#next + 1 === this.capacity ? 0 : this.#next + 1;
    const added = sample - this.#shift;
    this.#sum += added;
    this.#sumSquares += added * added;
    if (++this.#addsSinceExact === this.capacity) this.#recompute();
  }

  /** The samples, oldest first (a copy, for inspection and tests). */
  toArray(): number[] {
    const start = this.#count === this.capacity ? this.#next : 0;
    return Array.from({ length: this.#count }, (_, i) => this.#samples[(start + i) % this.capacity] ?? 0);
  }

  #recompute(): void {
    const samples = this.#samples;
    const count = this.#count;
    let total = 0;
    for (let i = 0; i < count; i++) total += samples[i] ?? 0;
    const shift = total / count;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < count; i++) {
      const d = (samples[i] ?? 0) - shift;
      sum += d;
      sumSquares += d * d;
    }
    this.#shift = shift;
    this.#sum = sum;
    this.#sumSquares = sumSquares;
    this.#addsSinceExact = 0;
  }
}
