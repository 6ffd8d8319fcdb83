import { counterMax, LamportClock, LamportError, LamportStamp, nodeIdBytesMax } from "@skew/lamport";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

function overflowOf(action: () => unknown): LamportError {
  try {
    action();
  } catch (error) {
    if (error instanceof LamportError) return error;
    throw error;
  }
  throw new Error("expected LAMPORT_COUNTER_OVERFLOW, but nothing was thrown");
}

describe("LamportClock", () => {
  it("starts at 0, before any event, and counts each local event (IR1)", () => {
    const clock = new LamportClock("node-a");
    expect(clock.nodeId).toBe("node-a");
    expect(clock.value).toBe(0);
    expect(clock.tick()).toBe(1);
    expect(clock.tick()).toBe(2);
    expect(clock.value).toBe(2);
  });

  it("counts a send as an event and returns the stamp for the message", () => {
    const clock = new LamportClock("node-a");
    clock.tick();
    const stamp = clock.send();
    expect(stamp.equals(LamportStamp.of(2, "node-a"))).toBe(true);
    expect(clock.value).toBe(2);
  });

  it("stamps its latest event without making a new one", () => {
    const clock = new LamportClock("node-a", { counter: 7 });
    expect(clock.stamp().equals(LamportStamp.of(7, "node-a"))).toBe(true);
    expect(clock.stamp().equals(clock.stamp())).toBe(true);
    expect(clock.value).toBe(7);
  });

  it("moves past both its own counter and the message's on receive (IR2)", () => {
    const clock = new LamportClock("node-b", { counter: 3 });
    expect(clock.receive(10)).toBe(11); // the message is ahead: jump past it
    expect(clock.receive(LamportStamp.of(5, "node-a"))).toBe(12); // the message is behind: still a new event
    expect(clock.receive(12)).toBe(13); // a tie
    expect(clock.value).toBe(13);
  });

  it("resumes from a persisted counter", () => {
    const before = new LamportClock("node-a");
    before.tick();
    before.tick();
    const after = new LamportClock("node-a", { counter: before.value });
    expect(after.tick()).toBe(3);
  });

  it("keeps its node id read-only", () => {
    const clock = new LamportClock("node-a");
    expect(() => {
      (clock as unknown as { nodeId: string }).nodeId = "node-b";
    }).toThrow(TypeError);
    expect(clock.nodeId).toBe("node-a");
  });

  it("rejects a bad node id or starting counter", () => {
    for (const nodeId of ["", "a b", "a@b", "x".repeat(nodeIdBytesMax + 1)]) {
      expect(() => new LamportClock(nodeId), JSON.stringify(nodeId)).toThrow(RangeError);
    }
    expect(() => new LamportClock(undefined as unknown as string)).toThrow(TypeError);
    for (const counter of [-1, 0.5, Number.NaN, counterMax + 1]) {
      expect(() => new LamportClock("a", { counter }), String(counter)).toThrow(RangeError);
    }
  });

  it("rejects a remote counter that is not one, or something that is not a stamp", () => {
    const clock = new LamportClock("a");
    for (const remote of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, counterMax + 1]) {
      expect(() => clock.receive(remote), String(remote)).toThrow(RangeError);
    }
    expect(() => clock.receive("5" as unknown as number)).toThrow(TypeError);
    expect(() => clock.receive({ counter: 5, nodeId: "b" } as unknown as LamportStamp)).toThrow(TypeError);
    expect(clock.value).toBe(0);
  });
});

describe("LamportClock at counterMax (2^53 - 1)", () => {
  it("refuses to tick or send past it, with LAMPORT_COUNTER_OVERFLOW, and stays where it is", () => {
    const clock = new LamportClock("a", { counter: counterMax - 1 });
    expect(clock.tick()).toBe(counterMax);
    for (const event of [() => clock.tick(), () => clock.send()]) {
      const error = overflowOf(event);
      expect(error.code).toBe("LAMPORT_COUNTER_OVERFLOW");
      expect(clock.value).toBe(counterMax);
    }
  });

  it("refuses a message whose counter is counterMax, and stays usable", () => {
    const clock = new LamportClock("a", { counter: 5 });
    expect(overflowOf(() => clock.receive(counterMax)).code).toBe("LAMPORT_COUNTER_OVERFLOW");
    expect(overflowOf(() => clock.receive(LamportStamp.of(counterMax, "b"))).code).toBe("LAMPORT_COUNTER_OVERFLOW");
    expect(clock.value).toBe(5);
    expect(clock.tick()).toBe(6);
  });

  it("accepts a message just below it, landing exactly on it", () => {
    const clock = new LamportClock("a");
    expect(clock.receive(counterMax - 1)).toBe(counterMax);
    expect(overflowOf(() => clock.receive(0)).code).toBe("LAMPORT_COUNTER_OVERFLOW");
    expect(clock.value).toBe(counterMax);
  });
});

type Operation =
  | { readonly kind: "tick" }
  | { readonly kind: "send" }
  | { readonly kind: "stamp" }
  | { readonly kind: "receive"; readonly remote: number; readonly asStamp: boolean };

/** Counters near 0 and near counterMax, so that both ordinary steps and overflows come up. */
const remoteCounter = fc.oneof(fc.nat({ max: 40 }), fc.integer({ min: counterMax - 40, max: counterMax }));

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.constant({ kind: "tick" } as const),
  fc.constant({ kind: "send" } as const),
  fc.constant({ kind: "stamp" } as const),
  fc.record({ kind: fc.constant("receive" as const), remote: remoteCounter, asStamp: fc.boolean() }),
);

const startCounter = fc.oneof(fc.nat({ max: 20 }), fc.integer({ min: counterMax - 30, max: counterMax }));

describe("LamportClock, under any sequence of operations", () => {
  it("gives every event a counter above the one before, and changes nothing when an event fails", () => {
    fc.assert(
      fc.property(startCounter, fc.array(operation, { maxLength: 60 }), (start, operations) => {
        const clock = new LamportClock("me", { counter: start });
        for (const op of operations) {
          const before = clock.value;
          let counter: number;
          try {
            switch (op.kind) {
              case "tick":
                counter = clock.tick();
                break;
              case "send":
                counter = clock.send().counter;
                break;
              case "stamp":
                expect(clock.stamp().equals(LamportStamp.of(before, "me"))).toBe(true);
                expect(clock.value).toBe(before);
                continue;
              case "receive":
                counter = clock.receive(op.asStamp ? LamportStamp.of(op.remote, "peer") : op.remote);
                break;
            }
          } catch (error) {
            expect(error).toBeInstanceOf(LamportError);
            expect((error as LamportError).code).toBe("LAMPORT_COUNTER_OVERFLOW");
            expect(Math.max(before, op.kind === "receive" ? op.remote : 0)).toBe(counterMax);
            expect(clock.value).toBe(before);
            continue;
          }
          expect(counter).toBeGreaterThan(before);
          expect(counter).toBeLessThanOrEqual(counterMax);
          expect(clock.value).toBe(counter);
        }
      }),
    );
  });

  it("never moves back on receiving an old counter, and always moves past the message's", () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.nat({ max: 1_000_000 }), (local, remote) => {
        const clock = new LamportClock("me", { counter: local });
        const counter = clock.receive(remote);
        expect(counter).toBeGreaterThan(local);
        expect(counter).toBeGreaterThan(remote);
        expect(counter).toBe(Math.max(local, remote) + 1); // the least value IR2 allows
      }),
    );
  });
});
