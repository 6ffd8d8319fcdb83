/**
 * A value as the HTTP API sees it, a content type and bytes, and as the
 * store keeps it, one byte string: `[1][content type length: u8][content
 * type, ASCII][bytes]`. The store is agnostic of content types (they are
 * the node's business), so the framing lives here; every sibling carries
 * its own.
 *
 * A stored value that does not carry this framing (written by something
 * other than this API, through `LocalCluster` say) is served as
 * `application/octet-stream`, whole.
 */
import { valueBytesMax } from "@skew/kv";

const framingVersion = 1;
export const contentTypeBytesMax = 255;
export const defaultContentType = "application/octet-stream";
/** The most bytes a value may have through the HTTP API: the store's limit less the framing's largest size. */
export const httpValueBytesMax = valueBytesMax - 2 - contentTypeBytesMax;

/** Printable ASCII without control characters, as an HTTP header value allows. */
const contentTypePattern = /^[\x20-\x7e]{1,255}$/;

export function isContentType(value: string): boolean {
  return contentTypePattern.test(value);
}

export function frameValue(contentType: string, bytes: Uint8Array): Uint8Array {
  if (!isContentType(contentType)) throw new RangeError("a content type is 1 to 255 printable ASCII characters");
  const framed = new Uint8Array(2 + contentType.length + bytes.length);
  framed[0] = framingVersion;
  framed[1] = contentType.length;
  for (let i = 0; i < contentType.length; i++) framed[2 + i] = contentType.charCodeAt(i);
  framed.set(bytes, 2 + contentType.length);
  return framed;
}

export interface HttpValue {
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

export function unframeValue(stored: Uint8Array): HttpValue {
  const length = stored[1];
  if (stored[0] !== framingVersion || length === undefined || length === 0 || stored.length < 2 + length) {
    return { contentType: defaultContentType, bytes: stored };
  }
  let contentType = "";
  for (let i = 0; i < length; i++) contentType += String.fromCharCode(stored[2 + i] as number);
  if (!isContentType(contentType)) return { contentType: defaultContentType, bytes: stored };
  return { contentType, bytes: stored.subarray(2 + length) };
}

/** A sibling in a JSON reply: its content type and its bytes in base64 (JSON has no bytes). */
export interface JsonSibling {
  readonly contentType: string;
  readonly value: string;
}

export function jsonSibling(stored: Uint8Array): JsonSibling {
  const { contentType, bytes } = unframeValue(stored);
  return { contentType, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64") };
}
