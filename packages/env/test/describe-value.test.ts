/**
 * `describeValue` must not throw for any value: it builds the messages that
 * tell a caller what they passed, and a value whose conversion to text throws
 * is exactly the kind of mistake those messages are for.
 */
import { AssertionError, describeValue, Random, sleep, unreachable } from "@skew/env";
import { ManualEnvironment, ManualWallClock } from "@skew/env/manual";
import { SystemTimers } from "@skew/env/system";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** Values that make `String(value)` or a template literal throw, each with what `describeValue` says of it. */
function hostileValues(): [unknown, string][] {
  const fail = (): never => {
    throw new Error("converted");
  };
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const everyTrapThrows = new Proxy({}, new Proxy({}, { get: () => fail }));
  const unconvertibleFunction = Object.assign(() => 0, { toString: 0 });
  return [
    [Symbol("hostile"), "a symbol"],
    [{ toString: 0 }, "an object"],
    [{ toString: fail, valueOf: fail }, "an object"],
    [{ [Symbol.toPrimitive]: 1 }, "an object"],
    [{ [Symbol.toPrimitive]: fail }, "an object"],
    [Object.create(null), "an object"],
    [Object.assign(Object.create(null), { length: 2 }), "an object"],
    [everyTrapThrows, "an object"],
    [revoked.proxy, "an object"],
    [unconvertibleFunction, "a function"],
  ];
}

describe("describeValue", () => {
  it("says what every hostile value is, where a template literal throws", () => {
    for (const [value, expected] of hostileValues()) {
      expect(() => `${value as string}`).toThrow();
      expect(describeValue(value)).toBe(expected);
    }
  });

  // The hostile values stay out of fast-check, which looks into the values it hands out (and so throws on them).
  it("never throws, and always says something, for anything fast-check makes", () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withObjectString: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        expect(describeValue(value)).toMatch(/\S/);
      }),
    );
  });

  it("prints numbers as String does, so messages about numbers read as before", () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        expect(describeValue(n)).toBe(String(n));
      }),
    );
    expect([Number.NaN, -0, Number.POSITIVE_INFINITY, 1.5].map(describeValue)).toEqual(["NaN", "0", "Infinity", "1.5"]);
  });

  it("quotes strings, cut after 40 characters, and names the other kinds", () => {
    expect(describeValue("bucket")).toBe('"bucket"');
    expect(describeValue('a "quote"\n')).toBe('"a \\"quote\\"\\n"');
    expect(describeValue("x".repeat(41))).toBe(`"${"x".repeat(40)}"...`);
    expect(describeValue("x".repeat(40))).toBe(`"${"x".repeat(40)}"`);
    expect(describeValue(12n)).toBe("12n");
    expect([true, null, undefined].map(describeValue)).toEqual(["true", "null", "undefined"]);
    expect([[1, 2], new Proxy([], {}), { a: 1 }, new Date(0), () => 0].map(describeValue)).toEqual([
      "an array",
      "an array",
      "an object",
      "an object",
      "a function",
    ]);
  });
});

describe("env's own checks, given a value whose conversion to text throws", () => {
  const hostile = hostileValues().map(([value]) => value as number);

  it("name the argument in their own errors", async () => {
    const env = new ManualEnvironment();
    const random = Random.seeded(1);
    for (const value of hostile) {
      expect(() => sleep(env.timers, value)).toThrow(/^sleep: delayMs must be a number, got an? /);
      expect(() => env.timers.schedule(value, () => {})).toThrow(/^Timers.schedule: delayMs must be a number/);
      expect(() => new SystemTimers().schedule(value, () => {})).toThrow(/^Timers.schedule: delayMs must be a number/);
      expect(() => env.advance(value)).toThrow(/^ManualEnvironment.advance: delta must be a number/);
      await expect(env.advanceAsync(value)).rejects.toThrow(/^ManualEnvironment.advanceAsync: delta must be a number/);
      expect(() => env.monotonic.advance(value)).toThrow(/^ManualMonotonicClock.advance: delta must be a number/);
      expect(() => random.chance(value)).toThrow(/^Random.chance: p must be a number/);
      expect(() => random.exponential(value)).toThrow(/^Random.exponential: mean must be a number/);
      expect(() => new ManualWallClock(value)).toThrow(/^ManualWallClock: expected a finite number, got an? /);
      expect(() => env.wall.jump(value)).toThrow(/^ManualWallClock.jump: expected a finite number/);
      expect(() => Random.seeded(value)).toThrow(/^Random.seeded: seed must be a 32-bit integer, got an? /);
      expect(() => random.int(value, 1)).toThrow(/^Random.int: expected safe integers min <= max, got an? \w+, 1$/);
      expect(() => unreachable(value as never)).toThrow(/^unreachable: an? /);
    }
  });

  it("keep TypeError for the wrong type and RangeError for a number out of range", () => {
    const env = new ManualEnvironment();
    expect(() => sleep(env.timers, Symbol() as never)).toThrow(TypeError);
    expect(() => sleep(env.timers, -1)).toThrow(RangeError);
    expect(() => env.advance("5" as never)).toThrow(TypeError);
    expect(() => env.advance(Number.NaN)).toThrow(RangeError);
    expect(() => unreachable(Object.create(null) as never)).toThrow(AssertionError);
  });
});
