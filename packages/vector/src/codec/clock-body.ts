/**
 * The body of an encoded vector clock, shared by the clock's own format and
 * by a dotted version vector set (whose causal history is a clock):
 *
 *   flags      1 byte   bit 0: pruned; the other bits must be zero
 *   count      varint   number of entries, at most entriesMax
 *   entries    count x  { id length varint (1..nodeIdBytesMax), id UTF-8, counter varint (1..counterMax) }
 *
 * Entries are in strictly increasing id order (JavaScript string order) and
 * no counter is zero (a zero entry and a missing one mean the same thing), so
 * each clock has exactly one encoding.
 */

import { utf8Length } from "@skew/env";
import { counterMax, entriesMax, nodeIdBytesMax, varintBytes } from "../constants.js";
import { VectorError } from "../errors.js";
import type { ByteReader, ByteWriter } from "./bytes.js";

const prunedFlag = 0x01;

export interface ClockBody {
  readonly ids: readonly string[];
  readonly counters: readonly number[];
  readonly pruned: boolean;
}

/** Bytes `writeClockBody` will write; `idBytes` receives the UTF-8 length of each id, for the writer. */
export function clockBodyBytes(body: ClockBody, idBytes: number[]): number {
  let total = 1 + varintBytes(body.ids.length);
  for (let i = 0; i < body.ids.length; i++) {
    const length = utf8Length(body.ids[i] as string);
    idBytes.push(length);
    total += varintBytes(length) + length + varintBytes(body.counters[i] as number);
  }
  return total;
}

/** Writes a body whose size `clockBodyBytes` counted, with the id lengths it collected. */
export function writeClockBody(writer: ByteWriter, body: ClockBody, idBytes: readonly number[]): void {
  writer.byte(body.pruned ? prunedFlag : 0);
  writer.varint(body.ids.length);
  for (let i = 0; i < body.ids.length; i++) {
    writer.sizedText(body.ids[i] as string, idBytes[i] as number);
    writer.varint(body.counters[i] as number);
  }
}

export function readClockBody(reader: ByteReader): ClockBody {
  const flags = reader.byte("the flags");
  if ((flags & ~prunedFlag) !== 0) throw reader.malformed(`unknown flags 0x${flags.toString(16)}`);
  const count = reader.varint("the entry count", Number.MAX_SAFE_INTEGER);
  if (count > entriesMax) {
    throw new VectorError(
      "VECTOR_LIMIT_EXCEEDED",
      `the clock has ${count} entries, more than entriesMax (${entriesMax})`,
    );
  }
  // Each entry takes at least three bytes; checking first keeps a forged count from allocating.
  if (count * 3 > reader.remainingBytes) throw reader.malformed(`${count} entries cannot fit in the bytes left`);
  const ids: string[] = [];
  const counters: number[] = [];
  // Messages name what was read and the byte offset; they are built only when something is wrong.
  for (let i = 0; i < count; i++) {
    const idBytes = reader.varint("the length of a node id", nodeIdBytesMax);
    if (idBytes === 0) throw reader.malformed("a node id is empty");
    const id = reader.text(idBytes, "a node id");
    const previous = ids[i - 1];
    if (previous !== undefined && !(previous < id))
      throw reader.malformed("node ids are not in strictly increasing order");
    const counter = reader.varint("a counter", counterMax, "VECTOR_COUNTER_OVERFLOW");
    if (counter === 0) throw reader.malformed("a counter is zero");
    ids.push(id);
    counters.push(counter);
  }
  return { ids: ids.slice(), counters: counters.slice(), pruned: (flags & prunedFlag) !== 0 };
}
