/**
 * Records as bytes, for the disk and the wire, each sealed with a CRC-32C
 * (Castagnoli, as iSCSI, ext4 metadata and LevelDB's log use) so that bit
 * rot on a disk or a torn write is detected where the record is read and the
 * record is treated as missing (then repaired by read repair or
 * anti-entropy), never served. A record travels between replicas in the same
 * bytes it is stored in, so a replica checks what it receives before it
 * merges it.
 *
 * ```text
 * 0x4b 'K'  version 0x02  kind (0x01 lww, 0x02 causal)  fence:f64
 * lww:    time:f64  nodeLength:u16  node:UTF-8  tag (0x00 tombstone, 0x01 value)  valueLength:u32  value
 * causal: setLength:u32  set (@skew/vector's canonical encoding; each sibling: fence:f64, at:f64, tag, then the value bytes)
 * crc32c:u32 of every byte before it
 * ```
 *
 * The header's fence is the highest token seen for the key; a causal
 * sibling's is the token it was written with. So in a stored record every
 * sibling's fence equals the header's: it cannot be above the highest seen,
 * and a sibling below it is superseded (record.ts). A record that breaks
 * this was not made by this code and is `RECORD_MALFORMED`.
 *
 * A causal sibling's `at` is the HLC timestamp its coordinator stamped the
 * write with (version 0x02 added it, for the history of issue 5). It travels
 * inside the sibling rather than in a side table keyed by dot because a
 * replica learns of siblings through `sync` of whole records (writes, read
 * repair, handoff, anti-entropy): carried in the record, the stamp arrives
 * wherever the sibling does, with no message of its own and no way to hold a
 * sibling without its stamp. Version 0x01 records (no stamp) are refused as
 * malformed: no store was written with them outside tests.
 *
 * Integers are big-endian. Numbers are IEEE-754 doubles so that every mode's
 * time (wall ms with fractions, HLC packed into 53 bits, Lamport counters,
 * TrueTime's `latest`) is carried exactly.
 */
import { err, ok, type Result, readUtf8, utf8Length, writeUtf8 } from "@skew/env";
import { DottedVersionVectorSet, type ValueCodec, VectorError } from "@skew/vector";
import { crc32c } from "../checksum/index.js";
import { fenceMax, valueBytesMax } from "../constants.js";
import { KvError } from "../errors.js";
import type { KvRecord, Sibling } from "./record.js";

const magic = 0x4b;
const formatVersion = 2;
const lwwKind = 1;
const causalKind = 2;
const tombstoneTag = 0;
const valueTag = 1;
const headerBytes = 3 + 8;
const checksumBytes = 4;
/** A sibling's fence (f64), stamp (f64) and tag, before its value bytes. */
const siblingHeaderBytes = 8 + 8 + 1;
const siblingTagAt = 16;

/** A sibling inside a dotted version vector set: its fence (f64), its stamp (f64), a tag byte, then the value bytes. */
export const siblingCodec: ValueCodec<Sibling> = {
  encode({ fence, at, value }) {
    const bytes = new Uint8Array(siblingHeaderBytes + (value === null ? 0 : value.length));
    const view = new DataView(bytes.buffer);
    view.setFloat64(0, fence);
    view.setFloat64(8, at);
    bytes[siblingTagAt] = value === null ? tombstoneTag : valueTag;
    if (value !== null) bytes.set(value, siblingHeaderBytes);
    return bytes;
  },
  decode(bytes) {
    if (bytes.length < siblingHeaderBytes) throw new KvError("RECORD_MALFORMED", "a sibling is too short");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fence = view.getFloat64(0);
    if (!isCount(fence, fenceMax)) {
      throw new KvError("RECORD_MALFORMED", "a sibling's fence is not a safe non-negative integer");
    }
    const at = view.getFloat64(8);
    if (!Number.isFinite(at) || at < 0)
      throw new KvError("RECORD_MALFORMED", "a sibling's stamp is not finite and >= 0");
    const tag = bytes[siblingTagAt];
    const length = bytes.length - siblingHeaderBytes;
    if (tag === tombstoneTag && length === 0) return { fence, at, value: null };
    if (tag === valueTag && length <= valueBytesMax) return { fence, at, value: bytes.slice(siblingHeaderBytes) };
    throw new KvError("RECORD_MALFORMED", "a sibling is neither a tombstone nor a value");
  },
};

export function encodeRecord(record: KvRecord): Uint8Array {
  let body: Uint8Array;
  let nodeLength = 0;
  let size = headerBytes + checksumBytes;
  if (record.kind === "lww") {
    nodeLength = utf8Length(record.stamp.node);
    body = record.value ?? new Uint8Array(0);
    size += 8 + 2 + nodeLength + 1 + 4 + body.length;
  } else {
    body = record.set.encode(siblingCodec);
    size += 4 + body.length;
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes[0] = magic;
  bytes[1] = formatVersion;
  view.setFloat64(3, record.kind === "lww" ? record.stamp.fence : record.fence);
  let at = headerBytes;
  if (record.kind === "lww") {
    bytes[2] = lwwKind;
    view.setFloat64(at, record.stamp.time);
    at += 8;
    view.setUint16(at, nodeLength);
    at = writeUtf8(record.stamp.node, bytes, at + 2);
    bytes[at] = record.value === null ? tombstoneTag : valueTag;
    at += 1;
  } else {
    bytes[2] = causalKind;
  }
  view.setUint32(at, body.length);
  at += 4;
  bytes.set(body, at);
  at += body.length;
  view.setUint32(at, crc32c(bytes.subarray(0, at)));
  return bytes;
}

/**
 * The digest of an encoded record: the CRC-32C its last four bytes hold.
 * As a record has one encoding, equal digests mean (but for a 2^-32 chance)
 * equal records: the anti-entropy's Merkle trees compare these.
 */
export function recordDigest(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.byteLength - 4);
}

/**
 * The record in `bytes`, or why not: `RECORD_CORRUPT` when the checksum
 * fails (checked first: nothing unverified is parsed), `RECORD_MALFORMED`
 * when verified bytes still do not parse (another version, a truncated
 * field).
 */
export function decodeRecord(bytes: Uint8Array): Result<KvRecord, KvError> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("decodeRecord: expected a Uint8Array");
  if (bytes.length < headerBytes + checksumBytes) return malformed(`${bytes.length} bytes are too few`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - checksumBytes;
  const expected = view.getUint32(end);
  const actual = crc32c(bytes.subarray(0, end));
  if (expected !== actual) {
    return err(new KvError("RECORD_CORRUPT", `stored ${hex(expected)}, computed ${hex(actual)}`));
  }
  if (bytes[0] !== magic) return malformed("not a record");
  if (bytes[1] !== formatVersion) return malformed(`format version ${String(bytes[1])} is not ${formatVersion}`);
  const fence = view.getFloat64(3);
  if (!isCount(fence, fenceMax)) return malformed("the fence is not a safe non-negative integer");
  let at = headerBytes;
  if (bytes[2] === lwwKind) {
    if (at + 8 + 2 > end) return malformed("truncated stamp");
    const time = view.getFloat64(at);
    if (!Number.isFinite(time)) return malformed("the time is not finite");
    at += 8;
    const nodeLength = view.getUint16(at);
    at += 2;
    if (nodeLength === 0 || at + nodeLength + 1 + 4 > end) return malformed("truncated node id");
    const node = readUtf8(bytes, at, at + nodeLength);
    if (node === undefined) return malformed("the node id is not UTF-8");
    at += nodeLength;
    const tag = bytes[at];
    const valueLength = view.getUint32(at + 1);
    at += 5;
    if (at + valueLength !== end) return malformed("the value length does not match the record's");
    if (tag === tombstoneTag && valueLength === 0) {
      return ok({ kind: "lww", stamp: { fence, time, node }, value: null });
    }
    if (tag !== valueTag || valueLength > valueBytesMax) return malformed("bad value tag or length");
    return ok({ kind: "lww", stamp: { fence, time, node }, value: bytes.slice(at, end) });
  }
  if (bytes[2] === causalKind) {
    if (at + 4 > end) return malformed("truncated set length");
    const setLength = view.getUint32(at);
    at += 4;
    if (at + setLength !== end) return malformed("the set length does not match the record's");
    try {
      const set = DottedVersionVectorSet.decode(bytes.subarray(at, end), siblingCodec);
      if (set.values().some((sibling) => sibling.fence !== fence)) {
        return malformed("a sibling's fence is not the record's (above it, or superseded below it)");
      }
      return ok({ kind: "causal", fence, set });
    } catch (cause) {
      if (cause instanceof VectorError || cause instanceof KvError) {
        return err(new KvError("RECORD_MALFORMED", "the sibling set does not decode", { cause }));
      }
      throw cause;
    }
  }
  return malformed(`unknown kind ${String(bytes[2])}`);
}

function isCount(value: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= max;
}

function malformed(detail: string): Result<KvRecord, KvError> {
  return err(new KvError("RECORD_MALFORMED", detail));
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}
