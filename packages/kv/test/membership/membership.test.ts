/**
 * Membership: the phi accrual detector tuned to the heartbeat interval
 * (node/membership.ts), and KvNode's wiring of it: heartbeats from tick,
 * liveness from every message, the wake time, the clock offset a heartbeat
 * measures, and the refusal of malformed membership messages.
 */

import { ManualMonotonicClock, ManualTimers, ManualWallClock } from "@skew/env/manual";
import { HybridLogicalClock } from "@skew/hlc";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";
import { describe, expect, test } from "vitest";
import {
  acceptablePauseHeartbeats,
  heartbeatIntervalMsDefault,
  KvNode,
  type PeerMessage,
  parsePeerMessage,
} from "../../src/index.js";
import { detectorOptionsFor, Membership } from "../../src/node/membership.js";

const members = ["n1", "n2", "n3"];

describe("Membership", () => {
  test("tunes the detector to the interval: the estimate is the period, the pause a few periods", () => {
    expect(detectorOptionsFor(200)).toEqual({
      thresholdPhi: 8,
      firstHeartbeatEstimateMs: 200,
      acceptablePauseMs: acceptablePauseHeartbeats * 200,
      minStdDeviationMs: 50,
    });
    expect(() => new Membership("n1", members, 0)).toThrow(RangeError);
    expect(() => new Membership("n1", members, Number.NaN)).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => new Membership("n1", members, bad)).toThrow(
        /^KvNode: heartbeatIntervalMs must be in .*, got an? \w+$/,
      );
    }
  });

  test("a peer heard every period is never suspected; a silent one is, between 3 and 6 periods after", () => {
    const period = 200;
    const m = new Membership("n1", members, period);
    let suspectedAt: number | undefined;
    for (let t = 0; t <= 10_000; t += 10) {
      if (t % period === 0) {
        m.heard("n2", t);
        if (t < 5_000) m.heard("n3", t);
      }
      expect(m.isSuspected("n2", t)).toBe(false);
      if (suspectedAt === undefined && m.isSuspected("n3", t)) suspectedAt = t;
    }
    expect(m.suspected(10_000)).toEqual(["n3"]);
    expect(suspectedAt).toBeGreaterThan(4_800 + acceptablePauseHeartbeats * period);
    expect(suspectedAt).toBeLessThan(4_800 + 6 * period);
    expect(m.isSuspected("n1", 10_000)).toBe(false); // never itself
  });

  test("watches every member from the first input, so one never heard from is suspected too", () => {
    const m = new Membership("n1", members, 200);
    expect(m.isSuspected("n2", 1_000)).toBe(false);
    const [n2] = m.view(1_000);
    expect(n2).toMatchObject({ peer: "n2", lastHeartbeatMs: 1_000, suspected: false, clockOffsetMs: undefined });
    expect(m.isSuspected("n2", 3_000)).toBe(true);
  });

  test("heartbeats are due every interval, counted from when they were sent; the wake time covers suspicion", () => {
    const m = new Membership("n1", members, 200);
    expect(m.nextWakeMs(0)).toBe(0); // before the first input: now
    expect(m.heartbeatsDue(0)).toEqual(["n2", "n3"]);
    expect(m.heartbeatsDue(199)).toEqual([]);
    expect(m.nextWakeMs(199)).toBe(200);
    expect(m.heartbeatsDue(950)).toEqual(["n2", "n3"]); // late (a pause): one round, not four
    expect(m.heartbeatsDue(960)).toEqual([]);
    // Peers last heard at 0: their suspicion (about 200 + 600 + 5.2 x 50 ms later) comes before the heartbeat at 1150.
    const suspicionAt = m.view(960)[0]?.suspicionAtMs as number;
    expect(suspicionAt).toBeGreaterThan(960);
    expect(suspicionAt).toBeLessThan(1_150);
    expect(m.nextWakeMs(960)).toBe(suspicionAt);
    // Once they are suspected there is nothing to wait for but the heartbeat.
    expect(m.isSuspected("n2", 1_100)).toBe(true);
    expect(m.nextWakeMs(1_100)).toBe(1_150);
  });

  test("records the offset a heartbeat measured", () => {
    const m = new Membership("n1", members, 200);
    m.measureOffset("n3", 10_250, 10_000);
    expect(m.view(0).map((v) => v.clockOffsetMs)).toEqual([undefined, 250]);
  });
});

function node(id: string, wall: ManualWallClock, monotonic: ManualMonotonicClock): KvNode {
  const truetime = new TrueTimeClock({ monotonic, timers: new ManualTimers(monotonic) });
  return new KvNode({
    id,
    nodes: members,
    buckets: { b: "lww-hlc" },
    clocks: { wall, hlc: new HybridLogicalClock({ wall, node: id }), lamport: new LamportClock(id), truetime },
    heartbeatIntervalMs: 100,
  });
}

/** Drains a node's outputs, syncing its writes at once. */
function drain(n: KvNode, nowMs: number): readonly { to: string; message: PeerMessage }[] {
  for (const batch of n.pollWrites()) n.handleDurable(batch.batchId, nowMs);
  return n.pollMessages();
}

describe("KvNode membership", () => {
  test("sends every peer a heartbeat from tick, each interval, and wakes for it", () => {
    const monotonic = new ManualMonotonicClock();
    const n1 = node("n1", new ManualWallClock(1_700_000_000_000), monotonic);
    drain(n1, 0);
    expect(n1.nextWakeMs()).toBe(0);
    n1.tick(0);
    const sent = drain(n1, 0);
    expect(sent.map((s) => [s.to, s.message.kind])).toEqual([
      ["n2", "heartbeat"],
      ["n3", "heartbeat"],
    ]);
    expect(n1.nextWakeMs()).toBe(100);
    n1.tick(50);
    expect(drain(n1, 50)).toEqual([]);
    n1.tick(100);
    expect(drain(n1, 100)).toHaveLength(2);
  });

  test("any message from a peer resets its phi; a heartbeat measures its clock offset", () => {
    const wall1 = new ManualWallClock(1_700_000_000_000);
    const wall2 = new ManualWallClock(1_700_000_000_040); // n2's clock is 40 ms ahead
    const n1 = node("n1", wall1, new ManualMonotonicClock());
    const n2 = node("n2", wall2, new ManualMonotonicClock());
    n1.tick(0);
    n2.tick(0);
    drain(n1, 0);
    const toN1 = drain(n2, 0).filter((s) => s.to === "n1");
    n1.tick(2_000);
    expect(n1.membership().map((v) => v.suspected)).toEqual([true, true]);
    for (const { message } of toN1) n1.handlePeerMessage("n2", message, 2_000);
    const [v2, v3] = n1.membership();
    expect(v2).toMatchObject({ peer: "n2", suspected: false, lastHeartbeatMs: 2_000, clockOffsetMs: 40 });
    expect(v2?.phi).toBeLessThan(1);
    expect(v3).toMatchObject({ peer: "n3", suspected: true, clockOffsetMs: undefined });
  });

  test("drops and counts malformed membership messages, changing nothing", () => {
    const n1 = node("n1", new ManualWallClock(1_700_000_000_000), new ManualMonotonicClock());
    const ts = 1_700_000_000_000 * 2 ** 11;
    const bad: unknown[] = [
      { kind: "heartbeat", ts },
      { kind: "heartbeat", ts, wallMs: Number.NaN },
      { kind: "handoff", ts, op: "1.1", bucket: "b", key: "k", fence: -1, record: new Uint8Array(1) },
      { kind: "handoff", ts, op: "", bucket: "b", key: "k", fence: 0, record: new Uint8Array(1) },
      { kind: "handoff-ack", ts, op: "1.1", refused: "NOPE" },
      { kind: "write", ts, op: "1.1", bucket: "b", key: "k", fence: 0, record: new Uint8Array(1), hint: 7 },
      { kind: "write-ack", ts, op: "1.1", refused: "HINTS_EMPTY" },
      // Recovery's flags (node/recovery.ts) are `true` or absent.
      { kind: "read-reply", ts, op: "1.1", record: null, recovering: "yes" },
      { kind: "repair", ts, bucket: "b", key: "k", record: new Uint8Array(1), pulled: 1 },
      { kind: "read-at-reply", ts, op: "1.1", version: null, horizon: null, recovering: "yes" },
      { kind: "read-at-reply", ts, op: "1.1", version: null, horizon: 7, recovering: true },
      { kind: "read-siblings-at-reply", ts, op: "1.1", siblings: [], horizon: null, recovering: true },
      // Kinds that String() cannot convert: refused as malformed like any other unknown kind.
      { kind: { toString: 0 }, ts },
      { kind: Object.create(null), ts },
      { kind: Symbol("heartbeat"), ts },
    ];
    for (const message of bad) {
      expect(parsePeerMessage(message).ok).toBe(false);
      n1.handlePeerMessage("n2", message, 10);
    }
    expect(n1.stats.messagesMalformed).toBe(bad.length);
    expect([...n1.hints()]).toEqual([]);
    expect([...n1.localKeys()]).toEqual([]);
  });

  test("the default interval is 200 ms", () => {
    expect(heartbeatIntervalMsDefault).toBe(200);
  });
});
