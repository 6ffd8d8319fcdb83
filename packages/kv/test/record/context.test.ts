/**
 * The opaque context: it carries what the client read (a version vector or a
 * stamp's time) and the record's fence, and anything else a client sends
 * back is refused as `INVALID_REQUEST`.
 */
import { DottedVersionVectorSet, VectorClock } from "@skew/vector";
import { describe, expect, it } from "vitest";
import { contextCharsMax } from "../../src/constants.js";
import { type CausalRecord, contextOf, type LwwRecord, parseContext, type Sibling } from "../../src/record/index.js";

const causal: CausalRecord = {
  kind: "causal",
  fence: 34,
  set: DottedVersionVectorSet.empty<Sibling>().update({ fence: 34, at: 1, value: null }, VectorClock.empty, "n1"),
};
const lww: LwwRecord = { kind: "lww", stamp: { fence: 34, time: 1_700_000_000_000.5, node: "n1" }, value: null };

describe("contexts", () => {
  it("carry the record's fence and what the client read, in both families", () => {
    const c = parseContext(contextOf(causal, true), true);
    expect(c.ok && c.value?.kind === "causal" && [c.value.fence, c.value.clock.equals(causal.set.join())]).toEqual([
      34,
      true,
    ]);
    expect(parseContext(contextOf(lww, false), false)).toEqual({
      ok: true,
      value: { kind: "lww", fence: 34, time: 1_700_000_000_000.5 },
    });
    // Nothing read: fence 0 and the empty clock in a causal bucket, no context at all in a last-write-wins one.
    const none = parseContext(contextOf(undefined, true), true);
    expect(none.ok && none.value?.kind === "causal" && [none.value.fence, none.value.clock.size]).toEqual([0, 0]);
    expect(contextOf(undefined, false)).toBe("");
    expect(parseContext("", true)).toEqual({ ok: true, value: undefined });
  });

  it("refuse anything else as INVALID_REQUEST", () => {
    const clock = causal.set.join().encodeText();
    const bad: [string, boolean][] = [
      [`c.${clock}`, true], // no fence
      [`c.-1.${clock}`, true],
      [`c.01.${clock}`, true],
      [`c.1e3.${clock}`, true],
      [`c.9007199254740992.${clock}`, true], // 2^53: past fenceMax
      ["c.3.not-a-clock", true],
      [`l.34.5`, true], // the other family's
      [`c.34.${clock}`, false],
      ["l.34.", false],
      ["l.34.-5", false],
      ["l.x.5", false],
      ["l.34.Infinity", false],
      [`c.0.${"A".repeat(contextCharsMax)}`, true],
    ];
    for (const [text, isCausal] of bad) {
      const parsed = parseContext(text, isCausal);
      expect(parsed.ok, text.slice(0, 40)).toBe(false);
      if (!parsed.ok) expect(parsed.error.code).toBe("INVALID_REQUEST");
    }
    expect(parseContext(`c.9007199254740991.${clock}`, true).ok).toBe(true);
  });
});
