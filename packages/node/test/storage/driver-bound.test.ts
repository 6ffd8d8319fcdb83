/**
 * The driver holds peer messages while the HLC's new upper bound is not
 * durable (driver.ts, "The HLC's upper bound"): a fresh write leaves its
 * coordinator without waiting for the coordinator's batches (kv's early
 * fan-out), so this is what keeps every stamp another node holds under this
 * node's durable bound.
 */
import { ManualEnvironment } from "@skew/env/manual";
import { HybridLogicalClock } from "@skew/hlc";
import type { PeerMessage, WriteBatch } from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";
import { describe, expect, it } from "vitest";
import { NodeDriver } from "../../src/driver.js";
import { bytes } from "./support.js";

/** A store whose writes are durable at once, and whose metadata is durable when the test says so. */
class BoundStore {
  metaPending = false;
  readonly #waiting: Array<() => void> = [];
  submit(_batch: WriteBatch): Promise<void> {
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return this.metaPending ? new Promise((resolve) => this.#waiting.push(resolve)) : Promise.resolve();
  }
  /** The pending bound reaches the disk. */
  settle(): void {
    this.metaPending = false;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

describe("NodeDriver and the HLC's bound", () => {
  it("holds peer messages while a bound is pending and sends them, in order, once it is durable", async () => {
    const env = new ManualEnvironment({ wallStartMs: 1_704_067_200_000 });
    const store = new BoundStore();
    const sent: Array<{ to: string; kind: string }> = [];
    const clocks = {
      wall: env.wall,
      hlc: new HybridLogicalClock({ wall: env.wall, node: "n1" }),
      lamport: new LamportClock("n1"),
      truetime: new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers }),
    };
    const driver = new NodeDriver({
      node: { id: "n1", nodes: ["n1", "n2", "n3"], buckets: { b: "lww-hlc" }, clocks },
      store,
      peers: { send: (to: string, message: PeerMessage) => sent.push({ to, kind: message.kind }) },
      monotonic: env.monotonic,
      timers: env.timers,
    });
    await Promise.resolve(); // the start batch is durable
    await new Promise((resolve) => setImmediate(resolve));

    // No bound pending: a fresh write's fan-out leaves at once.
    void driver.request({ kind: "put", bucket: "b", key: "a", value: bytes("1") });
    expect(sent.filter((m) => m.kind === "write").map((m) => m.to)).toEqual(["n2", "n3"]);

    // A bound pending: the next write's fan-out waits for it, and leaves once it is durable.
    sent.length = 0;
    store.metaPending = true;
    void driver.request({ kind: "put", bucket: "b", key: "b", value: bytes("2") });
    void driver.request({ kind: "put", bucket: "b", key: "c", value: bytes("3") });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([]);
    store.settle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.filter((m) => m.kind === "write").map((m) => m.to)).toEqual(["n2", "n3", "n2", "n3"]);
  });
});
