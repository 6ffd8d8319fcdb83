/**
 * The data model of a peer message on the wire: null, undefined, booleans,
 * numbers, strings, byte arrays, arrays and plain objects, nested at most
 * `messageDepthMax` deep. It is msgpack's own model plus `undefined`, and
 * exactly what @skew/kv's messages are made of.
 *
 * msgpackr knows more than that and cannot be told not to: its decoder
 * builds a Date, Set, RegExp, Error, BigInt, other typed arrays, its 0xC1
 * marker object and record-extension objects from extension bytes whatever
 * the options. kv's parser checks the fields it reads, not what else an
 * object holds, so the codec refuses anything outside the model before a
 * message reaches the node. Strings holding a lone surrogate are refused
 * both ways: msgpackr's encoder would turn one into U+FFFD, and its decoder
 * makes one out of ill-formed UTF-8 bytes (kv's UTF-8 writer assumes there
 * are none). On the sending side the walk also refuses what the codec would
 * silently change (an own `__proto__` key is renamed, a bigint may come
 * back a number, a typed array a Uint8Array): that is a bug in the sender,
 * and is thrown there.
 *
 * The walk is iterative: a message nested past the limit is refused
 * without recursing into it.
 */
import { hasLoneSurrogate } from "@skew/env";

/**
 * Why `value` is not plain data, or undefined when it is. `sending`: also
 * refuse what would not survive encoding unchanged (see above).
 */
export function plainDataProblem(value: unknown, depthMax: number, sending: boolean): string | undefined {
  const pending: { readonly value: unknown; readonly depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const item = next.value;
    switch (typeof item) {
      case "boolean":
      case "number":
      case "undefined":
        continue;
      case "string":
        if (hasLoneSurrogate(item)) return "a string holds a lone surrogate, which UTF-8 cannot carry";
        continue;
      case "object":
        break;
      default:
        return `a ${typeof item} is not plain data`;
    }
    if (item === null || item instanceof Uint8Array) {
      if (item !== null && !sending && Object.getPrototypeOf(item) !== Uint8Array.prototype) {
        return "a byte array of an unexpected class";
      }
      continue;
    }
    const depth = next.depth + 1;
    if (depth > depthMax) return `nested deeper than ${depthMax} levels`;
    const prototype: unknown = Object.getPrototypeOf(item);
    if (Array.isArray(item)) {
      if (prototype !== Array.prototype) return "an array of an unexpected class";
      for (const element of item) pending.push({ value: element, depth });
      continue;
    }
    if (prototype !== Object.prototype && !(sending && prototype === null)) {
      return `a ${describeClass(item)} is not plain data`;
    }
    for (const key of Object.keys(item)) {
      if (hasLoneSurrogate(key)) return "a key holds a lone surrogate, which UTF-8 cannot carry";
      if (sending && key === "__proto__") return "an own __proto__ key, which msgpackr renames on decoding";
      pending.push({ value: (item as Record<string, unknown>)[key], depth });
    }
  }
  return undefined;
}

function describeClass(item: object): string {
  const name: unknown = (item as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name.length > 0 && name.length <= 64 ? name : "non-plain object";
}
