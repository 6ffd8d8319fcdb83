/**
 * The tour `npm start` runs: each clock of Skew meets the trouble it was made
 * for, on clocks a script controls (so every run prints the same story), and
 * every claim it prints is asserted first. Until the replica cluster exists
 * this is Skew's main job; `test/tour.test.ts` runs it too.
 */
import assert from "node:assert/strict";
import { ManualEnvironment, ManualWallClock } from "@skew/env/manual";
import { compare, HybridLogicalClock, logicalOf, wallOf } from "@skew/hlc";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";
import { DottedVersionVectorSet, VectorClock } from "@skew/vector";

export type Print = (line: string) => void;

const epochMs = Date.UTC(2026, 0, 1, 12, 0, 42);
const clockTime = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

export async function runTour(print: Print): Promise<void> {
  print("Skew: a tour of time and order in distributed systems");
  wallAgainstMonotonic(print);
  lastWriteWinsUnderSkew(print);
  lamportCannotSeeConcurrency(print);
  siblingsWithDottedVersionVectors(print);
  hlcRefusesPoison(print);
  await commitWaitOrdersTransactions(print);
  print("\nEvery claim above was asserted as it was printed. `npm test` checks them all again.");
}

function heading(print: Print, title: string): void {
  print(`\n== ${title}`);
}

/** Chapter 3.1: time-of-day clocks jump; elapsed time needs a monotonic clock. */
function wallAgainstMonotonic(print: Print): void {
  heading(print, "1. A time-of-day clock is no stopwatch (@skew/env)");
  const env = new ManualEnvironment({ wallStartMs: epochMs });
  const wallStart = env.wall.now();
  const monotonicStart = env.monotonic.now();
  env.advance(250); // a request takes 250 ms ...
  env.wall.jump(-1_000); // ... while NTP steps the clock back a second
  const byWall = env.wall.now() - wallStart;
  const byMonotonic = env.monotonic.now() - monotonicStart;
  assert.equal(byWall, -750);
  assert.equal(byMonotonic, 250);
  print(`A 250 ms request, timed while NTP stepped the clock back 1 s:`);
  print(`  by the wall clock it took ${byWall} ms; by the monotonic clock ${byMonotonic} ms.`);
}

/** Chapter 3.3, figure "the write by client B is causally later than the write by client A". */
function lastWriteWinsUnderSkew(print: Print): void {
  heading(print, "2. Last write wins, by whose clock? (@skew/hlc)");
  const wall1 = new ManualWallClock(epochMs + 4); // node 1 runs 4 ms fast
  const wall3 = new ManualWallClock(epochMs + 1); // node 3 only 1 ms fast
  const hlc1 = new HybridLogicalClock({ wall: wall1, node: "node1" });
  const hlc3 = new HybridLogicalClock({ wall: wall3, node: "node3" });

  // Client A writes x = 1 through node 1; node 3 receives the write 1 ms later.
  const wallA = wall1.now();
  const hlcA = hlc1.now();
  wall1.jump(1);
  wall3.jump(1);
  hlc3.receive(hlcA, "node1");
  // Client B reads x = 1 from node 3 and writes x = 2 through it.
  const wallB = wall3.now();
  const hlcB = hlc3.now();

  assert.ok(wallB < wallA);
  assert.equal(compare(hlcA, hlcB), "before");
  print(`Client A writes x=1 via node 1 (4 ms fast); B, having read x=1, writes x=2 via node 3 (1 ms fast).`);
  print(
    `  wall-clock stamps: A ${clockTime(wallA)}, B ${clockTime(wallB)}: B looks older, so LWW keeps x=1 and B's write is lost.`,
  );
  print(
    `  HLC stamps: A (${clockTime(wallOf(hlcA))}, ${logicalOf(hlcA)}), B (${clockTime(wallOf(hlcB))}, ${logicalOf(hlcB)}): ` +
      `node 3 heard A's stamp, so B sorts after A and x=2 survives.`,
  );
}

/** Lamport 1978: consistent with causality, blind to concurrency. */
function lamportCannotSeeConcurrency(print: Print): void {
  heading(print, "3. A total order is not causality (@skew/lamport, @skew/vector)");
  const a = new LamportClock("a");
  const b = new LamportClock("b");
  a.tick();
  a.tick();
  const stampA = a.send();
  const stampB = b.send();
  const vectorA = VectorClock.empty.increment("a").increment("a").increment("a");
  const vectorB = VectorClock.empty.increment("b");
  assert.equal(stampB.compare(stampA), "before");
  assert.equal(vectorB.compare(vectorA), "concurrent");
  print(`Nodes a and b never talk. Lamport stamps ${stampB} < ${stampA} put b's event first anyway;`);
  print(`  vector clocks ${vectorB} and ${vectorA} say what is true: "${vectorB.compare(vectorA)}".`);
}

/** Riak's dotted version vector sets: siblings instead of lost writes, metadata bounded by replicas. */
function siblingsWithDottedVersionVectors(print: Print): void {
  heading(print, "4. Keep both, let the reader decide (@skew/vector DottedVersionVectorSet)");
  let cart = DottedVersionVectorSet.empty<string>();
  cart = cart.update("milk", VectorClock.empty, "replicaA");
  const seen = cart.join(); // both clients read the cart with milk in it
  cart = cart.update("milk, eggs", seen, "replicaA"); // client 1 adds eggs
  cart = cart.update("milk, ham", seen, "replicaB"); // client 2 adds ham, concurrently
  assert.deepEqual(cart.values(), ["milk, eggs", "milk, ham"]);
  print(`Two clients read the cart ["milk"] and each add an item concurrently: the store keeps both siblings`);
  print(`  ${JSON.stringify(cart.values())} with context ${cart.join()}, not whichever came last.`);
  const merged = cart.update("milk, eggs, ham", cart.join(), "replicaA");
  assert.deepEqual(merged.values(), ["milk, eggs, ham"]);
  print(`  A reader merges them and writes with that context: ${JSON.stringify(merged.values())}.`);
}

/** Kulkarni et al. 2014, with CockroachDB's maximum offset. */
function hlcRefusesPoison(print: Print): void {
  heading(print, "5. A hybrid logical clock is never poisoned, never goes back (@skew/hlc)");
  const wall = new ManualWallClock(epochMs);
  const clock = new HybridLogicalClock({ wall, node: "n1" });
  const before = clock.now();
  const farFuture = new HybridLogicalClock({ wall: new ManualWallClock(epochMs + 3_600_000), node: "n9" }).now();
  const refused = clock.tryReceive(farFuture, "n9");
  assert.equal(refused.ok, false);
  assert.equal(clock.last, before);
  if (!refused.ok) {
    print(`A peer whose clock is an hour ahead sends a timestamp: refused (${refused.error.code}),`);
    print(`  offset ${refused.error.offsetMs} ms > limit ${refused.error.maxOffsetMs} ms; the clock is unchanged.`);
  }
  wall.jump(-5_000); // NTP steps the wall clock back 5 s
  const after = clock.now();
  assert.equal(compare(before, after), "before");
  print(
    `The wall clock steps back 5 s; the next timestamp (${clockTime(wallOf(after))}, ${logicalOf(after)}) still sorts after the last.`,
  );
}

/** Spanner's commit wait: external consistency from clocks with known error. */
async function commitWaitOrdersTransactions(print: Print): Promise<void> {
  heading(print, "6. Commit wait turns uncertainty into order (@skew/truetime)");
  const run = async (wait: boolean) => {
    const env = new ManualEnvironment();
    const nodeA = new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers });
    const nodeB = new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers });
    // True time is epochMs. Node A believes it is a little later, node B a little earlier; both are right within their bounds.
    nodeA.sync([{ source: "gps-a", monotonicMs: 0, earliest: epochMs - 1, latest: epochMs + 5 }]);
    nodeB.sync([{ source: "gps-b", monotonicMs: 0, earliest: epochMs - 5, latest: epochMs + 1 }]);
    const t1 = nodeA.now().latest; // T1 commits on node A
    let waitedMs = 0;
    if (wait) {
      let done = false;
      const pending = nodeA.commitWait(t1).then((report) => {
        done = true;
        return report;
      });
      while (!done) await env.advanceAsync(0.25); // time passes until the commit is acknowledged
      waitedMs = (await pending).waitedMs;
    }
    const t2 = nodeB.now().latest; // T2 starts on node B after T1 was acknowledged
    return { t1, t2, waitedMs };
  };
  const without = await run(false);
  const withWait = await run(true);
  assert.ok(without.t2 < without.t1);
  assert.ok(withWait.t1 < withWait.t2);
  print(`T1 commits on node A; only after it is acknowledged does T2 start on node B.`);
  print(
    `  without commit wait: ts(T1) = +${without.t1 - epochMs} ms, ts(T2) = +${without.t2 - epochMs} ms: T2 is stamped before T1.`,
  );
  print(
    `  with commit wait (${withWait.waitedMs.toFixed(2)} ms, about 2 x epsilon): ts(T1) = +${withWait.t1 - epochMs} ms, ` +
      `ts(T2) = +${(withWait.t2 - epochMs).toFixed(2)} ms: real-time order kept.`,
  );
}
