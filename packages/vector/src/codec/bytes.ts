/**
 * The byte-level vocabulary of the wire formats: unsigned LEB128 varints (as
 * protobuf) for counts and counters, UTF-8 for ids. Counters reach 2^53 - 1,
 * beyond 32 bits, so varints are built with arithmetic, never with bitwise
 * operators. Everything a reader accepts is canonical: a varint has no
 * redundant trailing zero byte, so one clock has exactly one encoding and
 * encoded clocks can be compared or hashed as bytes.
 *
 * No `Buffer`, no `TextEncoder`: a core depends on nothing but the language.
 */
import { assert, readUtf8, writeUtf8 } from "@skew/env";
import { VectorError, type VectorErrorCode } from "../errors.js";

/**
 * Writes into a buffer of a size computed beforehand (see `varintBytes` and
 * `utf8Length`): one allocation per encoding and no copy at the end. On this
 * engine a typed array past 64 bytes lives outside the heap and costs
 * microseconds to allocate, far more than counting the bytes first.
 */
export class ByteWriter {
  readonly #bytes: Uint8Array;
  #length = 0;

  constructor(sizeBytes: number) {
    this.#bytes = new Uint8Array(sizeBytes);
  }

  byte(value: number): void {
    this.#bytes[this.#length++] = value;
  }

  /** An unsigned LEB128 varint of a non-negative safe integer. */
  varint(value: number): void {
    const bytes = this.#bytes;
    let rest = value;
    while (rest >= 0x80) {
      bytes[this.#length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    bytes[this.#length++] = rest;
  }

  /** Raw bytes, after their length as a varint. */
  sizedBytes(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** A UTF-8 string (without lone surrogates) of `lengthBytes` bytes, after that length as a varint. */
  sizedText(text: string, lengthBytes: number): void {
    this.varint(lengthBytes);
    this.#length = writeUtf8(text, this.#bytes, this.#length);
  }

  /** The bytes, once exactly as many were written as the size announced. */
  finish(): Uint8Array {
    assert(this.#length === this.#bytes.length, "the encoded size was miscounted");
    return this.#bytes;
  }
}

/** Reads what `ByteWriter` wrote; every violation is a `VECTOR_MALFORMED` naming what was being read. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get remainingBytes(): number {
    return this.#bytes.length - this.#offset;
  }

  byte(what: string): number {
    if (this.#offset >= this.#bytes.length) throw this.malformed(`truncated before ${what}`);
    return this.#bytes[this.#offset++] as number;
  }

  /**
   * A canonical varint no greater than `max`. A larger value is
   * `VECTOR_MALFORMED`, or `overflowCode` when the caller has a better name
   * for it (a counter past 2^53 - 1 is an overflow, not a typo).
   */
  varint(what: string, max: number, overflowCode: VectorErrorCode = "VECTOR_MALFORMED"): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const byte = this.byte(what);
      if (i === 7 && byte > 0x0f) {
        // An eighth byte carries bits 49..55; anything above bit 52 passes 2^53, where numbers stop being exact.
        throw new VectorError(overflowCode, `${what} does not fit in 53 bits, at byte ${this.#offset - 1}`);
      }
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (byte === 0 && i > 0) throw this.malformed(`${what} is a varint with a redundant trailing zero byte`);
        break;
      }
      scale *= 0x80;
    }
    if (value > max) throw new VectorError(overflowCode, `${what} is ${value}, more than ${max}`);
    return value;
  }

  /** `length` raw bytes, as a view into the input (no copy). */
  bytes(length: number, what: string): Uint8Array {
    if (length > this.remainingBytes) throw this.malformed(`truncated inside ${what}`);
    const view = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return view;
  }

  /** A UTF-8 string of `length` bytes; invalid UTF-8 is malformed, never replaced by U+FFFD. */
  text(length: number, what: string): string {
    if (length > this.remainingBytes) throw this.malformed(`truncated inside ${what}`);
    const text = readUtf8(this.#bytes, this.#offset, this.#offset + length);
    if (text === undefined) throw this.malformed(`${what} is not well-formed UTF-8`);
    this.#offset += length;
    return text;
  }

  /** Throws unless every byte was consumed: trailing bytes mean the input is not what the reader thinks it is. */
  end(what: string): void {
    if (this.#offset !== this.#bytes.length) {
      throw this.malformed(`${this.remainingBytes} unexpected bytes after the ${what}`);
    }
  }

  malformed(detail: string): VectorError {
    return new VectorError("VECTOR_MALFORMED", `${detail} (at byte ${this.#offset})`);
  }
}
