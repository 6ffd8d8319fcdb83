/**
 * UTF-8 for the short strings cores put into bytes (node ids, bucket names,
 * keys), written out rather than borrowed from `TextEncoder`: a host API is
 * not part of the language a core may rely on, a call into the host costs
 * more than encoding a few bytes here, and a decoder written here states
 * exactly what it refuses (RFC 3629): overlong forms, surrogate code points,
 * code points past U+10FFFF and truncated sequences. Refusing instead of
 * substituting U+FFFD matters: two different byte strings must never decode
 * to one id. Lone surrogates cannot be encoded at all; check strings with
 * `hasLoneSurrogate` where they come in.
 */

const loneSurrogate = /\p{Surrogate}/u;

/** True when `text` holds a surrogate that is not half of a pair: UTF-8 cannot carry it. */
export function hasLoneSurrogate(text: string): boolean {
  return loneSurrogate.test(text);
}

/** UTF-8 length of a string without lone surrogates, counted without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4; // a high surrogate starts a pair: one code point of four bytes
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Writes the UTF-8 of `text` (which has no lone surrogates) into `out` at `offset`; returns the new offset. */
export function writeUtf8(text: string, out: Uint8Array, offset: number): number {
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    let point = text.charCodeAt(i);
    if (point >= 0xd800 && point <= 0xdbff) {
      point = 0x10000 + ((point - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
    }
    if (point < 0x80) {
      out[at++] = point;
    } else if (point < 0x800) {
      out[at++] = 0xc0 | (point >> 6);
      out[at++] = 0x80 | (point & 0x3f);
    } else if (point < 0x10000) {
      out[at++] = 0xe0 | (point >> 12);
      out[at++] = 0x80 | ((point >> 6) & 0x3f);
      out[at++] = 0x80 | (point & 0x3f);
    } else {
      out[at++] = 0xf0 | (point >> 18);
      out[at++] = 0x80 | ((point >> 12) & 0x3f);
      out[at++] = 0x80 | ((point >> 6) & 0x3f);
      out[at++] = 0x80 | (point & 0x3f);
    }
  }
  return at;
}

/** The string whose UTF-8 is `bytes[start..end)`, or `undefined` when those bytes are not well-formed UTF-8. */
export function readUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  let text = "";
  let i = start;
  while (i < end) {
    const lead = bytes[i] as number;
    let point: number;
    let length: number;
    let min: number;
    if (lead < 0x80) {
      text += String.fromCharCode(lead);
      i++;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      point = lead & 0x1f;
      length = 2;
      min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      point = lead & 0x0f;
      length = 3;
      min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      point = lead & 0x07;
      length = 4;
      min = 0x10000;
    } else {
      return undefined; // a continuation byte, an overlong two-byte lead (C0, C1) or a lead past U+10FFFF
    }
    if (i + length > end) return undefined;
    for (let k = 1; k < length; k++) {
      const continuation = bytes[i + k] as number;
      if ((continuation & 0xc0) !== 0x80) return undefined;
      point = (point << 6) | (continuation & 0x3f);
    }
    if (point < min || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return undefined;
    text +=
      point < 0x10000
        ? String.fromCharCode(point)
        : String.fromCharCode(0xd800 + ((point - 0x10000) >> 10), 0xdc00 + ((point - 0x10000) & 0x3ff));
    i += length;
  }
  return text;
}
