/** The registry: one detector per peer, bounded, listing peers in a deterministic order. */
import {
  FailureDetectorError,
  FailureDetectorRegistry,
  FixedTimeoutDetector,
  PhiAccrualDetector,
} from "@skew/failure-detector";
import { describe, expect, it } from "vitest";

describe("FailureDetectorRegistry", () => {
  it("watches each peer from its first heartbeat, and suspects the silent ones", () => {
    const registry = new FailureDetectorRegistry(() => new PhiAccrualDetector());
    for (let t = 0; t <= 10_000; t += 1_000) {
      registry.heartbeat("n2", t);
      registry.heartbeat("n3", t);
      if (t <= 5_000) registry.heartbeat("n1", t);
    }
    expect(registry.peers).toEqual(["n2", "n3", "n1"]);
    expect(registry.size).toBe(3);
    expect(registry.suspected(10_000)).toEqual(["n1"]);
    expect(registry.isAvailable("n1", 10_000)).toBe(false);
    expect(registry.phi("n1", 10_000)).toBeGreaterThan(8);
    expect(registry.phi("n2", 10_000)).toBeLessThan(1);
    expect(registry.detector("n2")?.stats.meanMs).toBeCloseTo(1000, 9);
  });

  it("neither monitors nor suspects a peer never heard from", () => {
    const registry = new FailureDetectorRegistry(() => new PhiAccrualDetector());
    expect(registry.isMonitoring("n9")).toBe(false);
    expect(registry.phi("n9", 1e9)).toBe(0);
    expect(registry.isAvailable("n9", 1e9)).toBe(true);
    expect(registry.suspected(1e9)).toEqual([]);
    expect(registry.detector("n9")).toBeUndefined();
  });

  it("names the next instant a peer will be suspected, for the driver's timer", () => {
    const registry = new FailureDetectorRegistry(() => new FixedTimeoutDetector({ timeoutMs: 3_000 }));
    registry.heartbeat("a", 0);
    registry.heartbeat("b", 1_000);
    expect(registry.nextSuspicionAtMs(500)).toBe(3_000);
    expect(registry.nextSuspicionAtMs(3_000)).toBe(4_000); // a is suspected already
    expect(registry.nextSuspicionAtMs(4_000)).toBeUndefined();
  });

  it("forgets a removed peer", () => {
    const registry = new FailureDetectorRegistry(() => new PhiAccrualDetector());
    registry.heartbeat("a", 0);
    expect(registry.remove("a")).toBe(true);
    expect(registry.remove("a")).toBe(false);
    expect(registry.isMonitoring("a")).toBe(false);
    expect(registry.suspected(1e9)).toEqual([]);
  });

  it("refuses a stranger beyond peersMax with FAILURE_DETECTOR_PEERS_FULL, and changes nothing", () => {
    const registry = new FailureDetectorRegistry(() => new PhiAccrualDetector(), { peersMax: 2 });
    registry.heartbeat("a", 0);
    registry.heartbeat("b", 0);
    const error = (() => {
      try {
        registry.heartbeat("c", 1);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FailureDetectorError);
    expect((error as FailureDetectorError).code).toBe("FAILURE_DETECTOR_PEERS_FULL");
    expect(registry.peers).toEqual(["a", "b"]);
    registry.heartbeat("a", 1); // known peers still heartbeat
    registry.remove("b");
    registry.heartbeat("c", 2);
    expect(registry.peers).toEqual(["a", "c"]);
  });

  it("refuses bad arguments as programming mistakes, before creating anything", () => {
    const registry = new FailureDetectorRegistry(() => new PhiAccrualDetector());
    expect(() => registry.heartbeat("", 0)).toThrow(TypeError);
    expect(() => registry.heartbeat(7 as unknown as string, 0)).toThrow(TypeError);
    expect(() => registry.heartbeat("a", Number.NaN)).toThrow(RangeError);
    expect(() => registry.suspected(Number.NaN)).toThrow(RangeError);
    expect(() => registry.phi("a", Number.NaN)).toThrow(RangeError);
    expect(registry.size).toBe(0);
    registry.heartbeat("a", 10);
    expect(() => registry.heartbeat("a", 9)).toThrow(RangeError);
    expect(() => new FailureDetectorRegistry(() => new PhiAccrualDetector(), { peersMax: 0 })).toThrow(RangeError);
    expect(() => new FailureDetectorRegistry(undefined as unknown as () => PhiAccrualDetector)).toThrow(TypeError);
  });
});
