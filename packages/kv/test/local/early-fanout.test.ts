/**
 * Early fan-out (kv-node.ts): a coordinator sends a fresh write to its
 * replicas before its own copy is durable, and a restart that did not follow
 * a clean close starts a new dot epoch, so that a dot which left the node
 * before a crash is never issued again for another value.
 *
 * Each node here has a disk of its own: a batch reaches it only when the
 * test says so, and a crash restarts the node from what its disk holds.
 */
import { ManualEnvironment } from "@skew/env/manual";
import { HybridLogicalClock } from "@skew/hlc";
import {
  type ClientReply,
  type ConflictMode,
  hashKey,
  KvNode,
  liveValues,
  type PeerMessage,
  type RequestId,
  type WriteBatch,
} from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";
import { describe, expect, test } from "vitest";

const ids = ["n1", "n2", "n3"] as const;
const text = new TextEncoder();
const bytes = (s: string): Uint8Array => text.encode(s);
const read = (values: readonly Uint8Array[]): string[] => values.map((v) => new TextDecoder().decode(v)).sort();

/** One replica process: a node, its disk, and the batches it handed out that are not on the disk yet. */
class Host {
  node!: KvNode;
  readonly disk = new Map<string, Uint8Array>();
  pending: WriteBatch[] = [];
  /** Every batch that reached the disk, in order. */
  readonly written: WriteBatch[] = [];
  readonly replies = new Map<RequestId, ClientReply>();

  constructor(
    readonly id: string,
    readonly env: ManualEnvironment,
    readonly buckets: Readonly<Record<string, ConflictMode>>,
  ) {
    this.start();
    this.sync();
  }

  /** A start (or restart) from what the disk holds; the HLC restarts past every stamp, as a persisted bound makes it. */
  start(): void {
    this.pending = [];
    const { env, id } = this;
    const truetime = new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers });
    const trueMs = env.wall.now();
    truetime.sync([{ source: "test", monotonicMs: env.monotonic.now(), earliest: trueMs - 1, latest: trueMs + 1 }]);
    this.node = new KvNode({
      id,
      nodes: ids,
      buckets: this.buckets,
      clocks: {
        wall: env.wall,
        hlc: new HybridLogicalClock({ wall: env.wall, node: id }),
        lamport: new LamportClock(id),
        truetime,
      },
      stored: [...this.disk].sort(([a], [b]) => (a < b ? -1 : 1)),
    });
    this.take();
  }

  /** Collects the node's new batches (not durable yet) and its replies. */
  take(): void {
    this.pending.push(...this.node.pollWrites());
    for (const { requestId, reply } of this.node.pollReplies()) this.replies.set(requestId, reply);
  }

  /** Puts every pending batch on the disk, in order, and tells the node. */
  sync(): void {
    for (let batch = this.pending.shift(); batch !== undefined; batch = this.pending.shift()) {
      this.written.push(batch);
      for (const op of batch.ops) {
        if (op.kind === "put") this.disk.set(op.key, op.value);
        else this.disk.delete(op.key);
      }
      this.node.handleDurable(batch.batchId, this.env.monotonic.now());
      this.take();
    }
  }

  put(requestId: RequestId, bucket: string, key: string, value: string, context?: string): void {
    const request = { kind: "put", bucket, key, value: bytes(value), ...(context === undefined ? {} : { context }) };
    this.node.handleClientRequest(requestId, request, this.env.monotonic.now());
    this.take();
  }

  messages(): readonly { readonly to: string; readonly message: PeerMessage }[] {
    const messages = this.node.pollMessages();
    // What a node says to itself it handles itself: a driver sends every message it polls to another node.
    expect(messages.filter((m) => m.to === this.id)).toEqual([]);
    return messages;
  }

  deliver(from: string, message: PeerMessage): void {
    this.node.handlePeerMessage(from, message, this.env.monotonic.now());
    this.take();
  }

  /** `from`'s message delivered here and this disk synced: what this host then says back to `from`. */
  receive(from: Host, message: PeerMessage): PeerMessage[] {
    this.deliver(from.id, message);
    this.sync();
    return this.messages()
      .filter((m) => m.to === from.id)
      .map((m) => m.message);
  }
}

function hosts(buckets: Readonly<Record<string, ConflictMode>>) {
  const env = new ManualEnvironment({ wallStartMs: 1_704_067_200_000 });
  const [n1, n2, n3] = ids.map((id) => new Host(id, env, buckets)) as [Host, Host, Host];
  return { env, n1, n2, n3, byId: new Map([n1, n2, n3].map((h) => [h.id, h])) };
}

describe("early fan-out", () => {
  test("a causal coordinator's write leaves before its own copy is durable; W durable copies elsewhere answer it", () => {
    const { n1, n2, n3 } = hosts({ c: "causal" });
    n1.put(1, "c", "k", "v1");
    expect(n1.pending).toHaveLength(1); // its own copy: not on the disk yet
    const sent = n1.messages();
    expect(sent.map((m) => [m.to, m.message.kind]).sort()).toEqual([
      ["n2", "write"],
      ["n3", "write"],
    ]);
    for (const { to, message } of sent) {
      const host = to === "n2" ? n2 : n3;
      for (const ack of host.receive(n1, message)) n1.deliver(to, ack);
    }
    // Two replicas hold it durably: W = 2 is met, and the answer does not wait for n1's own disk.
    expect(n1.pending).toHaveLength(1);
    expect(n1.replies.get(1)).toMatchObject({ ok: true, kind: "put" });
  });

  test.each(["lww-hlc", "causal"] as const)(
    "the answer to a write (%s) does not wait for batches issued after its own copy",
    (mode) => {
      const { n1, n2 } = hosts({ b: mode });
      n1.put(1, "b", "a", "1");
      n1.sync(); // n1's own copy of a: durable, so it counts as one acknowledgement
      const toN2 = n1.messages().find((m) => m.to === "n2") as { message: PeerMessage };
      n1.put(2, "b", "b", "2"); // another client's write: its batch is issued, not durable
      expect(n1.pending.length).toBeGreaterThan(0);
      for (const ack of n2.receive(n1, toN2.message)) n1.deliver("n2", ack);
      // a has n1's and n2's durable copies (W = 2): its answer leaves, though b's batch is still in flight.
      expect(n1.replies.get(1)).toMatchObject({ ok: true, kind: "put" });
      expect(n1.replies.has(2)).toBe(false);
    },
  );

  test("an answer waits for the quorum of durable copies, the coordinator's own among them", () => {
    const { n1, n2 } = hosts({ b: "lww-hlc" });
    n1.put(1, "b", "a", "1");
    const toN2 = n1.messages().find((m) => m.to === "n2") as { message: PeerMessage };
    for (const ack of n2.receive(n1, toN2.message)) n1.deliver("n2", ack);
    expect(n1.replies.has(1)).toBe(false); // one durable copy (n2's); n1's own is not on its disk yet
    n1.sync();
    expect(n1.replies.get(1)).toMatchObject({ ok: true, kind: "put" });
  });

  test("a node that forwarded a request passes the primary's answer on without waiting for its own batches", () => {
    const { n1, byId } = hosts({ b: "causal" });
    // With N = 1 one node is the key's primary; a causal write (dotted at a primary) sent elsewhere is forwarded.
    const one = { n: 1, r: 1, w: 1 } as const;
    const primary = n1.node.ring.preferenceList(hashKey("b", "k"), 1)[0] as string;
    const other = [...byId.values()].find((h) => h.id !== primary) as Host;
    const owner = byId.get(primary) as Host;
    other.node.handleClientRequest(1, { kind: "put", bucket: "b", key: "k", value: bytes("v"), ...one }, 0);
    other.take();
    const forward = other.messages().find((m) => m.message.kind === "forward") as { message: PeerMessage };
    const answers = owner.receive(other, forward.message);
    // Meanwhile the forwarding node issued a batch of its own (a write of another key it is the primary of).
    const mine = ["x", "y", "z", "w"].find((key) => n1.node.ring.preferenceList(hashKey("b", key), 1)[0] === other.id);
    other.node.handleClientRequest(2, { kind: "put", bucket: "b", key: mine as string, value: bytes("2"), ...one }, 0);
    other.take();
    expect(other.pending.length).toBeGreaterThan(0);
    for (const answer of answers) other.deliver(owner.id, answer);
    expect(other.replies.get(1)).toMatchObject({ ok: true, kind: "put" });
  });

  test("a dot that left before a crash is never issued again: the restarted coordinator's write is not taken for a copy", () => {
    const { n1, n2 } = hosts({ c: "causal" });
    n1.put(1, "c", "k", "v1");
    const first = n1.messages().find((m) => m.to === "n2") as { message: PeerMessage };
    n2.receive(n1, first.message); // its acknowledgement goes to a coordinator about to die
    const dotBefore = n1.node.dotId;
    // n1 dies before its copy of v1 reaches its disk: n2 holds a dot that n1 no longer knows it issued.
    n1.start();
    n1.sync();
    expect(n1.node.localRecord("c", "k")).toBeUndefined();
    expect(n1.node.dotId).not.toBe(dotBefore);
    // A new write with no context, as a client that never saw v1 sends it. Had n1 dotted it as it dotted v1,
    // n2 would take it for the copy of v1 it holds and drop it, though n1 and n2 acknowledge it (W = 2).
    n1.put(2, "c", "k", "v2");
    n1.sync();
    const second = n1.messages().find((m) => m.to === "n2") as { message: PeerMessage };
    for (const ack of n2.receive(n1, second.message)) n1.deliver("n2", ack);
    expect(n1.replies.get(2)).toMatchObject({ ok: true, kind: "put" });
    expect(read(liveValues(n2.node.localRecord("c", "k") ?? fail()))).toEqual(["v1", "v2"]);
  });

  test("a clean close keeps the epoch: every dot the node sent is on its disk", () => {
    const { n1 } = hosts({ c: "causal" });
    n1.put(1, "c", "k", "v1");
    const dot = n1.node.dotId;
    n1.node.close();
    n1.take();
    expect(() => n1.put(2, "c", "k", "v2")).toThrow(/closed/);
    n1.sync(); // the close's batch follows v1's: once it is durable, so is v1
    n1.start();
    n1.sync();
    expect(n1.node.dotId).toBe(dot);
    expect(read(liveValues(n1.node.localRecord("c", "k") ?? fail()))).toEqual(["v1"]);
    // The mark was for that run: a crash of this one bumps the epoch again.
    n1.start();
    expect(n1.node.dotId).not.toBe(dot);
  });

  test("nothing follows the close's batch, not even what the node held for itself", () => {
    const { n1 } = hosts({ l: "lww-lamport" });
    n1.put(1, "l", "k", "v"); // its write to its own replica waits for the batch with the Lamport counter
    n1.node.close();
    n1.take();
    const before = n1.written.length;
    n1.sync(); // releases that write: a closed node drops it rather than store it after the mark
    const last = n1.written.slice(before);
    expect(last).toHaveLength(2);
    expect(last.at(-1)?.ops.map((op) => op.key)).toEqual(["m/closed"]);
  });

  test.each([
    ["lww-hlc", true],
    ["lww-wall", true],
    ["lww-truetime", true],
    ["lww-lamport", false],
  ] as const)("an %s write leaves before earlier batches are durable: %s", (mode, early) => {
    const { n1 } = hosts({ b: mode });
    n1.put(1, "b", "other", "x"); // its own replica's write: a batch not durable yet
    expect(n1.pending.length).toBeGreaterThan(0);
    n1.messages();
    n1.put(2, "b", "k", "v");
    const writes = n1.messages().filter((m) => m.message.kind === "write" && m.message.key === "k");
    // A Lamport stamp's counter is in the write's own batch: its fan-out waits for it, as every output does.
    expect(writes.map((m) => m.to).sort()).toEqual(early ? ["n2", "n3"] : []);
    n1.sync();
    const after = n1.messages().filter((m) => m.message.kind === "write" && m.message.key === "k");
    expect(after.map((m) => m.to).sort()).toEqual(early ? [] : ["n2", "n3"]);
  });
});

function fail(): never {
  throw new Error("no record");
}
