/**
 * The body's CRC-32C in a header, so that a body damaged between two
 * replicas (a proxy, a buggy buffer, a flipped bit that TCP's 16-bit sum
 * missed) is named as damage. The signature covers the body too, but a
 * signature failure means "forged or wrong secret" and calls for an
 * operator; a checksum failure means "damaged, send again". CRC-32C is the
 * checksum @skew/kv already puts on every record (see its checksum/), and it
 * detects every single-bit and every odd-count error and any burst up to 32
 * bits. It is no defence against tampering (anyone can recompute it): that
 * is the signature's job (auth.ts).
 */
import { err, ok, type Result } from "@skew/env";
import { crc32c } from "@skew/kv";
import { WireError } from "./errors.js";

/** The header that carries the body's CRC-32C, as 8 lowercase hex digits. */
export const checksumHeader = "x-skew-crc32c";

const checksumPattern = /^[0-9a-f]{8}$/;

/** The header value for `body`. */
export function checksumOf(body: Uint8Array): string {
  return crc32c(body).toString(16).padStart(8, "0");
}

/**
 * Whether `body` is the one its checksum header describes. `header` is the
 * header's value as the server received it (an array when it was repeated,
 * which is refused).
 */
export function verifyChecksum(
  header: string | readonly string[] | undefined,
  body: Uint8Array,
): Result<void, WireError> {
  if (typeof header !== "string" || !checksumPattern.test(header)) {
    return err(new WireError("CHECKSUM_MISSING", `${checksumHeader} must be 8 lowercase hex digits`));
  }
  const actual = checksumOf(body);
  if (actual !== header) {
    return err(new WireError("CHECKSUM_MISMATCH", `the header says ${header}, the body's is ${actual}`));
  }
  return ok(undefined);
}
