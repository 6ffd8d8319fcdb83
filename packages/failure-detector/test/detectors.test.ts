/**
 * The detectors' behaviour at their edges: before the first heartbeat, the
 * bootstrap, the defaults, and the checks on what callers pass in.
 */
import {
  FixedTimeoutDetector,
  PhiAccrualDetector,
  thresholdPhiDefault,
  windowSamplesLimit,
} from "@skew/failure-detector";
import { describe, expect, it } from "vitest";

describe("PhiAccrualDetector", () => {
  it("takes Akka's defaults", () => {
    const detector = new PhiAccrualDetector();
    expect([
      detector.thresholdPhi,
      detector.windowSamplesMax,
      detector.minStdDeviationMs,
      detector.acceptablePauseMs,
      detector.firstHeartbeatEstimateMs,
    ]).toEqual([8, 1000, 100, 3000, 1000]);
  });

  it("before any heartbeat is not monitoring, has phi 0 and counts the peer available", () => {
    const detector = new PhiAccrualDetector();
    expect(detector.isMonitoring).toBe(false);
    expect(detector.lastHeartbeatMs).toBeUndefined();
    expect(detector.suspicionAtMs()).toBeUndefined();
    expect(detector.phi(1e9)).toBe(0);
    expect(detector.isAvailable(1e9)).toBe(true);
    expect(detector.stats).toEqual({ meanMs: 1000, stdDeviationMs: 250, samples: 0 });
  });

  it("suspects a peer that sent one heartbeat and died, from the bootstrap estimate", () => {
    const detector = new PhiAccrualDetector({ acceptablePauseMs: 0 });
    detector.heartbeat(5_000);
    expect(detector.stats).toEqual({ meanMs: 1000, stdDeviationMs: 250, samples: 2 });
    // mean 1000 + 5.226 standard deviations of 250 ms: suspected 2.3 s after its only heartbeat.
    expect(detector.suspicionAtMs()).toBeCloseTo(5_000 + 1000 + 5.226 * 250, 0);
    expect(detector.isAvailable(7_300)).toBe(true);
    expect(detector.isAvailable(7_310)).toBe(false);
  });

  it("learns intervals equal to zero (a duplicate delivered at once) like any other", () => {
    const detector = new PhiAccrualDetector({ windowSamplesMax: 2 });
    detector.heartbeat(0);
    detector.heartbeat(0);
    detector.heartbeat(0);
    expect(detector.stats).toEqual({ meanMs: 0, stdDeviationMs: 0, samples: 2 });
    // The floor keeps phi finite and the peer available right after.
    expect(detector.isAvailable(0)).toBe(true);
  });

  it("refuses a time earlier than the last heartbeat, and leaves its state alone", () => {
    const detector = new PhiAccrualDetector();
    detector.heartbeat(1000);
    expect(() => detector.heartbeat(999)).toThrow(RangeError);
    expect(() => detector.phi(999)).toThrow(/earlier than the last heartbeat at 1000/);
    expect(() => detector.isAvailable(999)).toThrow(RangeError);
    expect(detector.lastHeartbeatMs).toBe(1000);
  });

  it("refuses times that are not finite numbers", () => {
    const detector = new PhiAccrualDetector();
    expect(() => detector.heartbeat(Number.NaN)).toThrow(RangeError);
    expect(() => detector.heartbeat(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => detector.phi("1000" as unknown as number)).toThrow(TypeError);
    expect(detector.isMonitoring).toBe(false);
  });

  it("refuses options out of range, naming them", () => {
    const bad: [object, RegExp][] = [
      [{ thresholdPhi: 0.3 }, /thresholdPhi must be > log10\(2\)/],
      [{ thresholdPhi: Number.NaN }, /thresholdPhi must be finite/],
      [{ windowSamplesMax: 1 }, /windowSamplesMax must be an integer in \[2, 65536\]/],
      [{ windowSamplesMax: windowSamplesLimit + 1 }, /windowSamplesMax/],
      [{ windowSamplesMax: 2.5 }, /windowSamplesMax/],
      [{ minStdDeviationMs: 0 }, /minStdDeviationMs must be > 0/],
      [{ acceptablePauseMs: -1 }, /acceptablePauseMs must be >= 0/],
      [{ firstHeartbeatEstimateMs: 0 }, /firstHeartbeatEstimateMs must be > 0/],
    ];
    for (const [options, message] of bad) expect(() => new PhiAccrualDetector(options)).toThrow(message);
    expect(() => new PhiAccrualDetector({ minStdDeviationMs: "1" as unknown as number })).toThrow(TypeError);
    expect(() => new PhiAccrualDetector(null as unknown as object)).toThrow(TypeError);
    expect(new PhiAccrualDetector({ thresholdPhi: 0.302 }).thresholdPhi).toBe(0.302);
    expect(thresholdPhiDefault).toBe(8);
  });
});

describe("FixedTimeoutDetector", () => {
  it("declares a peer dead once the timeout has passed in silence, and alive again at the next heartbeat", () => {
    const detector = new FixedTimeoutDetector({ timeoutMs: 2_500 });
    expect(detector.isAvailable(0)).toBe(true);
    expect(detector.phi(0)).toBe(0);
    detector.heartbeat(1_000);
    expect(detector.suspicionAtMs()).toBe(3_500);
    expect(detector.isAvailable(3_499.999)).toBe(true);
    expect(detector.phi(3_499.999)).toBe(0);
    expect(detector.isAvailable(3_500)).toBe(false);
    expect(detector.phi(3_500)).toBe(Number.POSITIVE_INFINITY);
    detector.heartbeat(9_000);
    expect(detector.isAvailable(9_000)).toBe(true);
  });

  it("refuses a bad timeout and times going back", () => {
    expect(() => new FixedTimeoutDetector({ timeoutMs: 0 })).toThrow(/timeoutMs must be > 0/);
    expect(() => new FixedTimeoutDetector({} as { timeoutMs: number })).toThrow(TypeError);
    const detector = new FixedTimeoutDetector({ timeoutMs: 1 });
    detector.heartbeat(10);
    expect(() => detector.heartbeat(9)).toThrow(RangeError);
    expect(() => detector.isAvailable(9)).toThrow(RangeError);
  });
});
