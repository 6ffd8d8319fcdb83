/**
 * Summaries across seeds: the mean and a 95% confidence interval from
 * Student's t distribution (mean ± t(0.975, n − 1) · s / √n, s the sample
 * standard deviation). Seeds are independent runs of one cell, so the
 * interval says how far the mean of more seeds could plausibly be; with one
 * seed there is no interval (`null`). The t quantiles for up to 30 degrees
 * of freedom are tabulated; beyond, the Cornish-Fisher expansion around the
 * normal quantile is within 0.001 of the table values.
 */
import { checkNumber } from "@skew/env";

export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Sample standard deviation (n - 1); null for one value. */
  readonly sd: number | null;
  /** The 95% interval's half width and ends; null for one value. */
  readonly ci95HalfWidth: number | null;
  readonly ci95Low: number | null;
  readonly ci95High: number | null;
}

/** t(0.975, df) for df = 1..30. */
const t975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
/** The standard normal's 0.975 quantile. */
const z975 = 1.959964;

/** The 0.975 quantile of Student's t with `df` degrees of freedom. */
export function tQuantile975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`tQuantile975: df must be an integer >= 1, got ${df}`);
  const tabled = t975[df - 1];
  if (tabled !== undefined) return tabled;
  const z = z975;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("summarize: no values");
  const n = values.length;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (n === 1) return { n, mean, min, max, sd: null, ci95HalfWidth: null, ci95Low: null, ci95High: null };
  const sd = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, min, max, sd, ci95HalfWidth: half, ci95Low: mean - half, ci95High: mean + half };
}

/** The nearest-rank percentile (p in (0, 100]) of `values`; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  checkNumber("percentile: p", p);
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100], got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;
}
