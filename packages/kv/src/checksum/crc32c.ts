/**
 * CRC-32C (Castagnoli), the checksum on every record the store keeps or
 * sends. A checksum is what lets a replica tell a corrupted record (a torn
 * write, a flipped bit on disk or on the wire) from a real value and treat it
 * as missing, so that read repair and anti-entropy replace it instead of a
 * client being served it. CRC-32C is the one iSCSI (RFC 3720), ext4, Btrfs,
 * LevelDB/RocksDB and TigerBeetle chose: its polynomial (reflected
 * 0x82F63B78) detects every burst error up to 32 bits and every odd number of
 * bit errors, and its Hamming distance beats the older CRC-32's at the record
 * sizes a store writes.
 *
 * Table-driven, slice-by-8 (Intel's method, Kounavis and Berry 2005): eight
 * 256-entry tables let one step fold eight bytes with eight lookups and no
 * serial dependency inside the step. bench/structures.ts measures it beside
 * slice-by-1 and slice-by-4 (see STRUCTURES.md).
 *
 * A checksum is a continuation: `crc32c(b, crc32c(a))` equals
 * `crc32c(a ++ b)`, so a record can be checksummed in pieces.
 */
import { checkUint32 } from "../uint32.js";

/** The reflected Castagnoli polynomial. */
const polynomial = 0x82f63b78;

/**
 * `tables[t * 256 + b]`: the CRC of byte `b` followed by `t` zero bytes. Table
 * 0 is the classic byte-at-a-time table; table t advances it t more bytes.
 */
const tables = buildTables();

function buildTables(): Uint32Array {
  const table = new Uint32Array(8 * 256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    table[byte] = crc;
  }
  for (let byte = 0; byte < 256; byte++) {
    let crc = table[byte] as number;
    for (let t = 1; t < 8; t++) {
      crc = (table[crc & 0xff] as number) ^ (crc >>> 8);
      table[t * 256 + byte] = crc;
    }
  }
  return table;
}

/**
 * The CRC-32C of `bytes`, unsigned. `seed` is the CRC of the bytes before
 * these (0, the CRC of nothing, by default), which makes checksums
 * incremental: `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`.
 */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("crc32c: bytes must be a Uint8Array");
  checkUint32("crc32c: seed", seed);
  return ~update(~seed, bytes) >>> 0;
}

/** Folds `bytes` into a running (pre-inverted) CRC register. */
function update(register: number, bytes: Uint8Array): number {
  const t = tables;
  const length = bytes.length;
  let crc = register;
  let i = 0;
  // Eight bytes a step: the first four are xored into the register, the
  // other four only index their tables, so the eight lookups are independent.
  for (const end = length - 7; i < end; i += 8) {
    const low =
      crc ^
      ((bytes[i] as number) |
        ((bytes[i + 1] as number) << 8) |
        ((bytes[i + 2] as number) << 16) |
        ((bytes[i + 3] as number) << 24));
    crc =
      (t[1792 + (low & 0xff)] as number) ^
      (t[1536 + ((low >>> 8) & 0xff)] as number) ^
      (t[1280 + ((low >>> 16) & 0xff)] as number) ^
      (t[1024 + (low >>> 24)] as number) ^
      (t[768 + (bytes[i + 4] as number)] as number) ^
      (t[512 + (bytes[i + 5] as number)] as number) ^
      (t[256 + (bytes[i + 6] as number)] as number) ^
      (t[bytes[i + 7] as number] as number);
  }
  for (; i < length; i++) crc = (t[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return crc;
}
