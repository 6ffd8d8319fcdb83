/** Placement: which replicas hold a key. */
export { claimSpacingPartitions, partitionsDefault, partitionsMax } from "./constants.js";
export { hashKey } from "./hash-key.js";
export { murmur3, murmur3Utf8 } from "./murmur3.js";
export { HashRing, type HashRingOptions } from "./ring.js";
