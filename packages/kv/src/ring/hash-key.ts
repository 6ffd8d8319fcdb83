/**
 * Where a key lives: the ring position of (bucket, key). Dynamo hashes the
 * key with MD5, Riak hashes the pair {Bucket, Key} with SHA-1; here it is
 * MurmurHash3_x86_32 (murmur3.ts) of UTF-8(bucket) ++ 0x00 ++ key bytes.
 *
 * Hashing the bucket too spreads a bucket over the whole ring, so one busy
 * bucket does not land on one replica set. The zero byte separates the two so
 * that ("ab", "c") and ("a", "bc") hash apart; a bucket that itself contains
 * U+0000 can still meet another pair's bytes, which only co-locates two keys
 * (a hash is a placement, never an identity). A string key and a byte key with
 * the same UTF-8 are the same key and hash alike.
 */
import { Murmur3Stream } from "./murmur3.js";

/** The hash seed: the published MurmurHash3 vectors use 0, and so does placement. */
const placementSeed = 0;

const stream = new Murmur3Stream();

/** The unsigned 32-bit ring position of `key` in `bucket`. */
export function hashKey(bucket: string, key: Uint8Array | string): number {
  if (typeof bucket !== "string") throw new TypeError("hashKey: bucket must be a string");
  stream.start(placementSeed).utf8(bucket).byte(0);
  if (typeof key === "string") return stream.utf8(key).end();
  if (key instanceof Uint8Array) return stream.bytes(key).end();
  throw new TypeError("hashKey: key must be a string or a Uint8Array");
}
