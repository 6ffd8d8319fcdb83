/**
 * Every limit and default of @skew/kv, each with its unit at the end of its
 * name (TigerBeetle's habit), checked against one another when the module
 * loads. Public entry points enforce them with typed failures; the sibling
 * limits are Riak's (`warn_siblings` 25, `max_siblings` 100).
 */
import { assert } from "@skew/env";
import { valueBytesMax as vectorValueBytesMax } from "@skew/vector";

/** The longest key, in UTF-8 bytes (Riak's practical limit is about 64 KiB; keys are index entries, so smaller). */
export const keyBytesMax = 1024;

/** The longest bucket name, in UTF-8 bytes. */
export const bucketBytesMax = 255;

/** The largest value, in bytes (Riak warns at 5 MiB and refuses at 50 MiB; a simulation wants far less). */
export const valueBytesMax = 1024 * 1024;

/** A causal write that leaves more siblings than this succeeds, and its reply says so (Riak's `warn_siblings`). */
export const siblingsWarn = 25;

/** A causal write that would leave more siblings than this is refused, definitely (Riak's `max_siblings`). */
export const siblingsMax = 100;

/** The largest fencing token: an exact integer. */
export const fenceMax = Number.MAX_SAFE_INTEGER;

/** Replicas per key, at most (N). */
export const replicasMax = 16;

/** The default replication factor and quorums: Dynamo's and Riak's 3/2/2. */
export const replicasDefault = 3;
export const readQuorumDefault = 2;
export const writeQuorumDefault = 2;

/** How long a coordinator waits for its quorum before answering `TIMEOUT`, by default. */
export const requestTimeoutMsDefault = 2_000;

/** The longest timeout a request may ask for. */
export const requestTimeoutMsMax = 60_000;

/** Client requests one node coordinates at once; past it, `OVERLOADED` (a definite failure). */
export const requestsInFlightMax = 10_000;

/** Outputs held back until a write batch is durable; past it the node is a bug or its driver stopped syncing. */
export const outputsPendingMax = 1_000_000;

/** The longest client request id, in characters. */
export const requestIdCharsMax = 256;

/** The longest opaque context a client may hand back, in characters. */
export const contextCharsMax = 64 * 1024;

/** How often a node sends every other node a heartbeat, by default, in ms of its monotonic clock. */
export const heartbeatIntervalMsDefault = 200;

/** The smallest and largest heartbeat interval a node accepts, in ms. */
export const heartbeatIntervalMsMin = 1;
export const heartbeatIntervalMsMax = 60_000;

/**
 * The phi accrual detector's tuning, relative to the heartbeat interval, as
 * @skew/failure-detector's constants document it: the first interval is
 * assumed to be the heartbeat period; a silence of this many periods beyond
 * the mean is forgiven (Akka warns below 3); the standard deviation is
 * floored at this fraction of the period (Akka's 100 ms at 1 s would be half
 * a period here, too lax at 200 ms; a quarter keeps the bootstrap's spread
 * visible). At 200 ms a crashed peer is suspected about 1.06 s after its
 * last heartbeat (200 + 600 + 5.2 x 50).
 */
export const suspicionThresholdPhi = 8;
export const acceptablePauseHeartbeats = 3;
export const minStdDeviationHeartbeatRatio = 1 / 4;

/** Hints a fallback holds at once (distinct primary and key pairs), by default; past it, it refuses hinted writes. */
export const hintsMaxDefault = 10_000;

/** Hints a fallback hands off at once; the rest wait for acknowledgements. */
export const hintDeliveriesInFlightMax = 64;

/** A hint handed off and not acknowledged within this many ms is handed off again. */
export const hintDeliveryRetryMs = 1_000;

/** Bytes of one encoded record's fixed parts beyond its node id, value and set: header, fence, time, lengths, checksum. */
export const recordOverheadBytes = 3 + 8 + 8 + 2 + 1 + 4 + 4;

assert(keyBytesMax >= 1 && bucketBytesMax >= 1, "keys and buckets must be able to hold one byte");
assert(valueBytesMax <= vectorValueBytesMax, "a value must fit in a dotted version vector set's sibling");
assert(siblingsWarn >= 1 && siblingsWarn < siblingsMax, "the sibling warning must come before the refusal");
assert(
  writeQuorumDefault <= replicasDefault && readQuorumDefault <= replicasDefault && replicasDefault <= replicasMax,
  "the default quorums must fit in the default replica count",
);
assert(
  readQuorumDefault + writeQuorumDefault > replicasDefault,
  "by default a read quorum must overlap every write quorum (R + W > N)",
);
assert(requestTimeoutMsDefault > 0 && requestTimeoutMsDefault <= requestTimeoutMsMax, "the default timeout is allowed");
assert(requestsInFlightMax >= 1 && outputsPendingMax >= requestsInFlightMax, "outputs must outnumber requests");

// ---- repair: anti-entropy, tombstone removal (src/node/anti-entropy.ts, src/node/tombstones.ts) ----------------

/**
 * How often a node starts an anti-entropy exchange, by default: one
 * (partition, peer) pair per interval, round robin. Riak's AAE exchanges a
 * partition every few seconds at most; a node here replicating P partitions
 * with N - 1 peers each visits every pair within P * (N - 1) intervals.
 */
export const antiEntropyIntervalMsDefault = 1_000;

/**
 * Between the anti-entropy exchanges of a recovering node (node/recovery.ts), monotonic ms: it runs them
 * back to back, since its reads do not count as a primary's until it has taken back every partition.
 */
export const antiEntropyRecoveryIntervalMs = 10;

/** How often a recovering node looks again for a pair it needs when every such pair's peer is suspected, ms. */
export const antiEntropyRecoveryPollMs = 100;

/** An exchange that has not finished this long after its last step is abandoned (the peer is away). */
export const antiEntropySessionTimeoutMs = 2_000;

/**
 * A step of an exchange unanswered this long is asked again (the responder
 * keeps no state, so asking twice is harmless): on a lossy link an exchange
 * of a differing partition takes a dozen messages, and abandoning it on the
 * first loss would leave a pair unrepaired for a whole exchange cycle.
 */
export const antiEntropyStepRetryMs = 250;

/** Node hashes asked for in one step of the walk; past it the walk follows the first ones, the rest next round. */
export const antiEntropyNodesPerStepMax = 256;

/** Keys repaired (pushed and pulled) per exchange: bounds a round's work after a long partition. */
export const antiEntropyKeysPerRoundMax = 256;

/** Levels of the Merkle tree the exchange descends per round trip (2^k hashes per differing node). */
export const antiEntropyLevelsPerStep = 2;

/** Levels of each partition's Merkle tree: 2^8 segments, enough for tens of thousands of keys per partition. */
export const antiEntropyTreeDepth = 8;

/**
 * How long a tombstone must have been stored (the node's monotonic time)
 * before a removal round may remove it, by default. Cassandra's
 * gc_grace_seconds is 10 days; the rule in tombstones.ts does not depend on
 * the delay for safety (every node must confirm), only on it for cheapness:
 * a key deleted and soon rewritten keeps its tombstone.
 */
export const tombstoneRemovalDelayMsDefault = 60_000;

/** A removal round that has not heard from every node this long after it asked is abandoned. */
export const tombstoneRoundTimeoutMs = 2_000;

/** Removal rounds a node runs at once, and the tombstones it examines per tick. */
export const tombstoneRoundsInFlightMax = 64;

/**
 * How long a removed tombstone's ghost (its version, no value) keeps
 * dropping late records it dominates, by default. Messages older than this
 * are assumed gone: the simulator's delays are milliseconds, a real
 * network's seconds at worst, and a request's timeout is at most
 * `requestTimeoutMsMax`.
 */
export const ghostRetentionMsDefault = 600_000;

assert(antiEntropyIntervalMsDefault > 0 && antiEntropySessionTimeoutMs > 0, "anti-entropy runs and gives up");
assert(
  antiEntropyStepRetryMs > 0 && antiEntropyStepRetryMs < antiEntropySessionTimeoutMs,
  "a step is asked again before its exchange is abandoned",
);
assert(antiEntropyNodesPerStepMax >= 2 ** antiEntropyLevelsPerStep, "a step can ask for one node's descendants");
assert(antiEntropyKeysPerRoundMax >= 1, "an exchange repairs at least one key");
assert(antiEntropyTreeDepth >= 1 && antiEntropyTreeDepth <= 16, "a tree has segments and stays small");
assert(antiEntropyLevelsPerStep >= 1 && antiEntropyLevelsPerStep <= antiEntropyTreeDepth, "a step descends");
assert(tombstoneRemovalDelayMsDefault >= 0 && tombstoneRoundTimeoutMs > 0, "removal waits, rounds give up");
assert(tombstoneRoundsInFlightMax >= 1, "a node can run a removal round");
assert(
  ghostRetentionMsDefault >= requestTimeoutMsMax + tombstoneRoundTimeoutMs,
  "a ghost outlives every request that could still carry the removed version",
);
assert(
  heartbeatIntervalMsMin <= heartbeatIntervalMsDefault && heartbeatIntervalMsDefault <= heartbeatIntervalMsMax,
  "the default heartbeat interval is allowed",
);
assert(acceptablePauseHeartbeats >= 3, "the acceptable pause should allow for a few lost heartbeats");
assert(
  minStdDeviationHeartbeatRatio > 0 && minStdDeviationHeartbeatRatio <= 1 / 4,
  "the floor must not hide the bootstrap",
);
assert(hintsMaxDefault >= 1 && hintDeliveriesInFlightMax >= 1, "a fallback must be able to hold and deliver a hint");
assert(
  hintDeliveryRetryMs > heartbeatIntervalMsDefault,
  "a handoff gets more than a heartbeat period to be acknowledged",
);

// ---- versioned history: multi-version history per key (src/history/*, issue 5) ---------------------------------

/**
 * How long a version stays answerable after it was superseded, by default,
 * in ms of the bucket's clock. The history itself is clock-agnostic (it
 * orders numbers): a clock counting ms (wall, TrueTime) passes this as is,
 * a packed HLC timestamp multiplies it by 2^11 (its counter bits, as
 * `timestamp(ms, 0)` of @skew/hlc does), a Lamport counter has no ms and
 * relies on the count bound. CockroachDB keeps 4 h (gc.ttlseconds, formerly
 * 25 h); a simulation wants a minute.
 */
export const historyMaxAgeMsDefault = 60_000;

/** Versions kept per key, by default, the newest ones; older ones are dropped and raise the key's horizon. */
export const historyVersionsPerKeyDefault = 32;

/** The most versions per key a history may be configured to keep: bounds an insert's and a collect's work per key. */
export const historyVersionsPerKeyMax = 1024;

/** Keys one `collect` call examines, by default (round robin): bounds its work to keys x versions per key. */
export const historyCollectKeysPerCallDefault = 256;

assert(historyMaxAgeMsDefault > 0, "a version is kept for some time after it is superseded");
assert(
  historyVersionsPerKeyDefault >= 1 && historyVersionsPerKeyDefault <= historyVersionsPerKeyMax,
  "the default keeps at least the current version and is allowed",
);
assert(historyCollectKeysPerCallDefault >= 1, "a collect examines at least one key");

/** Keys one `snapshot` request may read: bounds the read-at messages it sends (one per key per replica). */
export const snapshotKeysMax = 100;

/**
 * How often a read at a timestamp that waits for safe time looks again, in ms of monotonic time, when the
 * clock gives no better estimate (an HLC timestamp beyond the max offset: safe once the wall clock nears it).
 */
export const snapshotSafeRecheckMs = 5;

assert(snapshotKeysMax >= 1 && snapshotKeysMax <= requestsInFlightMax, "a snapshot reads at least one key");
assert(snapshotSafeRecheckMs > 0, "a waiting read looks again later, not in a loop");

/** How often a node runs the history's age collection from `tick`, in monotonic ms (node/lww-history.ts). */
export const historyCollectIntervalMs = 1_000;

assert(historyCollectIntervalMs > 0, "collection is paced");
assert(
  historyMaxAgeMsDefault >= requestTimeoutMsMax,
  "a snapshot read at a time a request may still be waiting on stays answerable",
);

// ---- versioned history, causal buckets: per-sibling history (src/history/sibling-history.ts, issue 5) ------------
// Reuses historyMaxAgeMsDefault, historyVersionsPerKeyDefault/Max (superseded siblings kept per key) and
// historyCollectKeysPerCallDefault from the block above.

/**
 * Dropped siblings' dots remembered per key, by default (a dot, its `at` and
 * `supersededAt`: a few dozen bytes, no value), so that a late report of a
 * dropped sibling is recognised and not resurrected. Past it, the oldest
 * are forgotten and only a per-replica counter watermark remains.
 */
export const historySiblingGhostsPerKeyDefault = 256;

/** The most dropped dots a sibling history may be configured to remember per key: bounds an insert's work per key. */
export const historySiblingGhostsPerKeyMax = 4096;

assert(
  historySiblingGhostsPerKeyDefault >= historyVersionsPerKeyDefault,
  "a key remembers at least as many dropped dots as it keeps superseded siblings",
);
assert(
  historySiblingGhostsPerKeyDefault >= 1 && historySiblingGhostsPerKeyDefault <= historySiblingGhostsPerKeyMax,
  "the default remembers some dropped dots and is allowed",
);
