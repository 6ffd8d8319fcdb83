/**
 * How long a message takes on a link. Real delays are not a constant plus
 * noise: most messages are fast and a few wait behind queues for orders of
 * magnitude longer (../../../../shared/CHAPTER.txt, 2.5 and 2.6). TigerBeetle's
 * packet simulator draws an exponential delay above a minimum; a Pareto
 * distribution gives the heavier tail that queueing produces. Every draw is
 * cut at `delayMaxMs`.
 */
import { describeValue, type Random } from "@skew/env";
import { delayMaxMs } from "../constants.js";
import { msToUsRound } from "../time.js";
import { checkDurationMs } from "../validate.js";

export type DelayModel =
  /** Always the same delay. */
  | { readonly kind: "constant"; readonly ms: number }
  /** Uniform in [minMs, maxMs]. */
  | { readonly kind: "uniform"; readonly minMs: number; readonly maxMs: number }
  /** `minMs` plus an exponential variate, `meanMs` on average in all (TigerBeetle's one-way delay). */
  | { readonly kind: "exponential"; readonly minMs: number; readonly meanMs: number }
  /**
   * Pareto with scale `minMs` and shape `alpha`: the mean is `alpha * minMs / (alpha - 1)`,
   * and a message is `k` times slower than the fastest with probability `k^-alpha`.
   * `alpha` near 1 is a very long tail; 2 to 3 is a congested datacenter.
   */
  | { readonly kind: "pareto"; readonly minMs: number; readonly alpha: number };

/** A datacenter link: 0.5 ms at least, 1 ms on average. */
export const delayDefault: DelayModel = { kind: "exponential", minMs: 0.5, meanMs: 1 };

export function checkDelayModel(where: string, model: DelayModel): void {
  switch (model.kind) {
    case "constant":
      checkDurationMs(`${where} (constant.ms)`, model.ms, delayMaxMs);
      return;
    case "uniform":
      checkDurationMs(`${where} (uniform.minMs)`, model.minMs, delayMaxMs);
      checkDurationMs(`${where} (uniform.maxMs)`, model.maxMs, delayMaxMs);
      if (model.minMs > model.maxMs) throw new RangeError(`${where}: uniform.minMs exceeds maxMs`);
      return;
    case "exponential":
      checkDurationMs(`${where} (exponential.minMs)`, model.minMs, delayMaxMs);
      checkDurationMs(`${where} (exponential.meanMs)`, model.meanMs, delayMaxMs);
      if (model.minMs > model.meanMs) throw new RangeError(`${where}: exponential.minMs exceeds meanMs`);
      return;
    case "pareto":
      checkDurationMs(`${where} (pareto.minMs)`, model.minMs, delayMaxMs);
      if (typeof model.alpha !== "number" || !(model.alpha > 0 && model.alpha <= 100)) {
        throw new RangeError(`${where}: pareto.alpha must be in (0, 100], got ${describeValue(model.alpha)}`);
      }
      return;
    default:
      throw new TypeError(`${where}: unknown delay model ${JSON.stringify(model)}`);
  }
}

/** One delay, in whole microseconds, in [0, delayMaxMs]. */
export function sampleDelayUs(model: DelayModel, random: Random): number {
  let ms: number;
  switch (model.kind) {
    case "constant":
      ms = model.ms;
      break;
    case "uniform":
      ms = model.minMs + (model.maxMs - model.minMs) * random.float();
      break;
    case "exponential":
      ms = model.minMs + random.exponential(model.meanMs - model.minMs);
      break;
    case "pareto":
      ms = model.minMs / (1 - random.float()) ** (1 / model.alpha);
      break;
  }
  return msToUsRound(Math.min(ms, delayMaxMs));
}
