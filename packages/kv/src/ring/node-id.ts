/**
 * The names on the ring are replica ids: the same ids that count events in
 * the store's version vectors (@skew/vector), so they obey the same rules
 * there: a non-empty string, UTF-8-encodable (no lone surrogate), at most
 * @skew/vector's `nodeIdBytesMax` bytes.
 */
import { nodeIdBytesMax } from "@skew/vector";

/** Throws `TypeError` or `RangeError` unless `id` can name a replica; `role` names the argument. */
export function checkNodeId(id: unknown, role: string): asserts id is string {
  if (typeof id !== "string") throw new TypeError(`${role} must be a string, got ${typeof id}`);
  if (id.length === 0) throw new TypeError(`${role} must not be empty`);
  let bytes = 0;
  for (let i = 0; i < id.length; i++) {
    const unit = id.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit < 0xd800 || unit > 0xdfff) bytes += 3;
    else {
      const low = id.charCodeAt(i + 1); // NaN past the end
      if (unit > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) {
        throw new TypeError(`${role} contains a lone surrogate, which UTF-8 cannot encode`);
      }
      bytes += 4;
      i++;
    }
  }
  if (bytes > nodeIdBytesMax) {
    throw new RangeError(`${role} takes ${bytes} UTF-8 bytes, more than nodeIdBytesMax (${nodeIdBytesMax})`);
  }
}
