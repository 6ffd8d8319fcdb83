/**
 * Values as UTF-8 text, through @skew/env's codec: the workloads store text
 * (JSON, ids), and simulation code takes nothing from the platform that it
 * does not need.
 */
import { readUtf8, utf8Length, writeUtf8 } from "@skew/env";
import { JepsenError } from "./errors.js";

export const text = {
  encode(value: string): Uint8Array {
    const bytes = new Uint8Array(utf8Length(value));
    writeUtf8(value, bytes, 0);
    return bytes;
  },
  decode(bytes: Uint8Array): string {
    const value = readUtf8(bytes, 0, bytes.length);
    if (value === undefined) throw new JepsenError("VALUE_MALFORMED", "a value read is not UTF-8");
    return value;
  },
};
