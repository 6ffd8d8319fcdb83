/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby, 2011; SMHasher), the hash
 * that places keys on the ring and spreads them over Merkle buckets. Placement
 * needs a hash that is fast, well distributed over every bit and identical on
 * every node and every platform, not one that resists an attacker; Cassandra's
 * Murmur3Partitioner made the same choice (Riak hashes with SHA-1, which a
 * store written in TypeScript would pay for on every request).
 *
 * Strings are hashed as their UTF-8 bytes, encoded on the fly: no encoder, no
 * temporary array. A lone surrogate, which UTF-8 cannot carry, is refused
 * (TypeError) rather than replaced by U+FFFD, which would make two different
 * keys one.
 */
import { checkUint32 } from "../uint32.js";

const c1 = 0xcc9e2d51;
const c2 = 0x1b873593;

/** The 32-bit hash of one 4-byte little-endian block, folded into `h`. */
function mixBlock(h: number, block: number): number {
  let k = Math.imul(block, c1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, c2);
  const x = h ^ k;
  return (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
}

/** The tail (1 to 3 bytes, or 0 for none) and the length, folded in, then the avalanche. */
function finish(h: number, tail: number, length: number): number {
  let k = Math.imul(tail, c1);
  k = (k << 15) | (k >>> 17);
  let x = h ^ Math.imul(k, c2) ^ length;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** MurmurHash3_x86_32 of `bytes` with `seed`, unsigned. */
export function murmur3(bytes: Uint8Array, seed = 0): number {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("murmur3: bytes must be a Uint8Array");
  checkUint32("murmur3: seed", seed);
  return stream.start(seed).bytes(bytes).end();
}

/** MurmurHash3_x86_32 of the UTF-8 bytes of `text` with `seed`, unsigned. */
export function murmur3Utf8(text: string, seed = 0): number {
  if (typeof text !== "string") throw new TypeError("murmur3Utf8: text must be a string");
  checkUint32("murmur3Utf8: seed", seed);
  return stream.start(seed).utf8(text).end();
}

/**
 * MurmurHash3_x86_32 of the 8 bytes `a, b` (little-endian words) with `seed`:
 * a strong mix of two 32-bit values, for the Merkle tree's entries and nodes.
 */
export function murmur3Pair(a: number, b: number, seed: number): number {
  return finish(mixBlock(mixBlock(seed | 0, a), b), 0, 8);
}

/**
 * A hash fed in pieces (bytes, then a string's UTF-8, then a byte...) that
 * equals the one-shot hash of the concatenation. One instance serves every
 * call: hashing is synchronous and never re-entered, so nothing is allocated.
 */
export class Murmur3Stream {
  #h = 0;
  /** Bytes not yet folded, little-endian, `#fill` of them (0 to 3). */
  #pending = 0;
  #fill = 0;
  #length = 0;

  start(seed: number): this {
    this.#h = seed | 0;
    this.#pending = 0;
    this.#fill = 0;
    this.#length = 0;
    return this;
  }

  byte(value: number): this {
    this.#pending |= value << (this.#fill << 3);
    if (++this.#fill === 4) {
      this.#h = mixBlock(this.#h, this.#pending);
      this.#pending = 0;
      this.#fill = 0;
    }
    this.#length++;
    return this;
  }

  bytes(bytes: Uint8Array): this {
    const length = bytes.length;
    let i = 0;
    // Top up a partly filled block, then whole blocks straight from the array.
    while (this.#fill !== 0 && i < length) this.byte(bytes[i++] as number);
    let h = this.#h;
    for (const end = length - 3; i < end; i += 4) {
      h = mixBlock(
        h,
        (bytes[i] as number) |
          ((bytes[i + 1] as number) << 8) |
          ((bytes[i + 2] as number) << 16) |
          ((bytes[i + 3] as number) << 24),
      );
      this.#length += 4;
    }
    this.#h = h;
    while (i < length) this.byte(bytes[i++] as number);
    return this;
  }

  /**
   * The UTF-8 encoding of `text`, byte by byte; TypeError on a lone surrogate.
   * ASCII (every key id the store makes of ASCII names) is folded in local
   * variables, the state written back once: a key's hash is taken several
   * times a put (placement, Merkle segment), and going through `byte` for
   * each character was most of its cost.
   */
  utf8(text: string): this {
    const length = text.length;
    let h = this.#h;
    let pending = this.#pending;
    let fill = this.#fill;
    let ascii = 0;
    for (let i = 0; i < length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 0x80) {
        pending |= unit << (fill << 3);
        if (++fill === 4) {
          h = mixBlock(h, pending);
          pending = 0;
          fill = 0;
        }
        ascii++;
        continue;
      }
      this.#h = h;
      this.#pending = pending;
      this.#fill = fill;
      this.#length += ascii;
      ascii = 0;
      if (unit < 0x800) {
        this.byte(0xc0 | (unit >> 6)).byte(0x80 | (unit & 0x3f));
      } else if (unit < 0xd800 || unit > 0xdfff) {
        this.byte(0xe0 | (unit >> 12))
          .byte(0x80 | ((unit >> 6) & 0x3f))
          .byte(0x80 | (unit & 0x3f));
      } else {
        const low = i + 1 < length ? text.charCodeAt(i + 1) : 0;
        if (unit > 0xdbff || low < 0xdc00 || low > 0xdfff) throw loneSurrogate(i);
        const point = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        this.byte(0xf0 | (point >> 18))
          .byte(0x80 | ((point >> 12) & 0x3f))
          .byte(0x80 | ((point >> 6) & 0x3f))
          .byte(0x80 | (point & 0x3f));
        i++;
      }
      h = this.#h;
      pending = this.#pending;
      fill = this.#fill;
    }
    this.#h = h;
    this.#pending = pending;
    this.#fill = fill;
    this.#length += ascii;
    return this;
  }

  end(): number {
    return finish(this.#h, this.#pending, this.#length);
  }
}

/** Built out of line so that the hot loop holds no message-building code. */
function loneSurrogate(index: number): TypeError {
  return new TypeError(`a lone surrogate at index ${index} has no UTF-8 encoding`);
}

const stream = new Murmur3Stream();
