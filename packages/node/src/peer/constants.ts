/**
 * The limits of replica-to-replica traffic, each with its unit at the end of
 * its name, checked against @skew/kv's limits when the module loads: an
 * envelope that cannot carry the largest message kv may emit would leave
 * that message undeliverable forever, which is a replication failure, not a
 * refused request.
 */
import { assert } from "@skew/env";
import { bucketBytesMax, keyBytesMax, siblingsMax, valueBytesMax } from "@skew/kv";

/** The envelope format this code writes and reads; a peer speaking another one is refused, never guessed at. */
export const envelopeVersion = 1;

/**
 * The largest envelope, in bytes of its msgpack body. It must hold one
 * `write` of the largest record kv allows: a causal key with `siblingsMax`
 * siblings of `valueBytesMax` each (100 MiB with kv's defaults), plus the
 * key, the bucket and room for the record's metadata. The receiver refuses a
 * longer frame from its header; smaller batches are the transport's business.
 */
export const envelopeBytesMax = 128 * 1024 * 1024;

/** Bytes allowed beyond the values of the largest record: its key, bucket, dots, stamps and msgpack framing. */
export const envelopeMetadataBytesAllowance = 1024 * 1024;

/**
 * Messages one envelope may carry: bounds the work of one frame at the
 * receiver (each message is parsed and handed to the node in turn). A sender
 * with more to say to one peer sends several envelopes.
 */
export const envelopeMessagesMax = 1024;

/**
 * The deepest nesting of arrays and objects inside one message. kv's
 * messages nest a few levels (a forwarded reply holding a list of
 * siblings); the bound keeps a hostile or broken peer from making the
 * receiver walk, or recurse through, a pathological shape.
 */
export const messageDepthMax = 32;

/**
 * The longest cluster name or node id on the wire, in UTF-8 bytes: the
 * bound @skew/vector puts on a node id (its `nodeIdBytesMax`), which every
 * kv node id already obeys.
 */
export const peerNameBytesMax = 255;

/**
 * How far a stream opening's `sent-at` may be from the receiver's clock,
 * either way, before it is refused as expired (and how long its nonce is
 * remembered, to refuse it replayed). Both ends read the REAL system clock for this,
 * never the node's clock: the admin endpoint skews node clocks on purpose,
 * by seconds or minutes, and that must not cut replicas off from each
 * other. Five minutes is Kerberos's default skew and AWS SigV4's window: it
 * forgives machines whose NTP has drifted and keeps the replay window short.
 */
export const authSkewToleranceMs = 5 * 60 * 1000;

/**
 * The shortest cluster secret accepted, in bytes (of its UTF-8 when given
 * as a string). 16 random bytes are 128 bits, beyond guessing; a shorter
 * secret is almost certainly a placeholder someone forgot to replace.
 */
export const clusterSecretBytesMin = 16;

assert(envelopeVersion === 1, "this code writes and reads version 1 envelopes");
assert(
  envelopeBytesMax >= siblingsMax * valueBytesMax + keyBytesMax + bucketBytesMax + envelopeMetadataBytesAllowance,
  "an envelope must hold one write of the largest record kv allows",
);
assert(envelopeBytesMax <= 2 ** 32 - 1, "msgpack's 32-bit lengths must be able to frame the largest envelope");
assert(envelopeMessagesMax >= 1, "an envelope carries at least one message");
assert(messageDepthMax >= 8, "kv's messages nest a few levels; the bound must leave them room");
assert(peerNameBytesMax >= 4, "a name must be able to hold any one code point");
assert(authSkewToleranceMs >= 60_000, "the replay window must forgive ordinary clock error between machines");
assert(clusterSecretBytesMin >= 16, "a secret shorter than 128 bits can be guessed");
