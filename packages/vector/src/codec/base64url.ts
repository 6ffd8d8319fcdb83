/**
 * Base64url without padding (RFC 4648, section 5): the text form of an
 * encoded clock, safe in an HTTP header, a URL or JSON, which is where an
 * opaque causal context travels (Riak's X-Riak-Vclock header). Decoding is
 * strict: a character outside the alphabet, padding, an impossible length or
 * nonzero leftover bits are malformed, so each byte string has exactly one
 * text form.
 */
import { VectorError } from "../errors.js";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const sextetOfCode = new Int8Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) sextetOfCode[alphabet.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  let text = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const triple = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    text += char(triple >> 18) + char(triple >> 12) + char(triple >> 6) + char(triple);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const single = bytes[i] as number;
    text += char(single >> 2) + char(single << 4);
  } else if (rest === 2) {
    const pair = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    text += char(pair >> 10) + char(pair >> 4) + char(pair << 2);
  }
  return text;
}

export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw malformed(`a length of ${text.length} characters is impossible`);
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let written = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const sextet = code < 128 ? (sextetOfCode[code] as number) : -1;
    if (sextet < 0) throw malformed(`character ${i} (${JSON.stringify(text[i])}) is not base64url`);
    buffer = ((buffer << 6) | sextet) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[written++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw malformed("the last character has nonzero leftover bits");
  return bytes;
}

function char(sextet: number): string {
  return alphabet[sextet & 0x3f] as string;
}

function malformed(detail: string): VectorError {
  return new VectorError("VECTOR_MALFORMED", `not base64url: ${detail}`);
}
