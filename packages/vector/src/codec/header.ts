/**
 * Every encoded value of this package starts with two bytes: its kind ("V"
 * for a vector clock, "S" for a dotted version vector set), so one is never
 * read as the other, and its format version, so a newer format is refused by
 * name (`VECTOR_VERSION_UNSUPPORTED`) rather than misread.
 */
import { VectorError } from "../errors.js";
import type { ByteReader } from "./bytes.js";

export const clockTag = 0x56;
export const setTag = 0x53;
export const formatVersion = 1;

export function readHeader(reader: ByteReader, tag: number, kind: string): void {
  const first = reader.byte(`the ${kind} header`);
  if (first !== tag) throw reader.malformed(`not a ${kind}: the first byte is 0x${first.toString(16)}`);
  const version = reader.byte(`the ${kind} format version`);
  if (version !== formatVersion) {
    throw new VectorError(
      "VECTOR_VERSION_UNSUPPORTED",
      `the ${kind} uses format version ${version}; this package reads version ${formatVersion}`,
    );
  }
}
