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
 * The walk recurses, but never deeper than `depthMax` (32 for messages):
 * a message nested past the limit is refused before its next level is
 * entered. It runs on every message sent and received, so it allocates
 * nothing but the key lists of objects (an explicit stack of entries cost
 * about 5 KB of garbage a put on the node benchmark).
 */
import { hasLoneSurrogate } from "@skew/env";

/**
 * Why `value` is not plain data, or undefined when it is. `sending`: also
 * refuse what would not survive encoding unchanged (see above).
 */
export function plainDataProblem(value: unknown, depthMax: number, sending: boolean): string | undefined {
  return problemOf(value, 0, depthMax, sending);
}

/** The walk below `plainDataProblem`: `depth` is the number of arrays and objects around `item`. */
function problemOf(item: unknown, depth: number, depthMax: number, sending: boolean): string | undefined {
  switch (typeof item) {
    case "boolean":
    case "number":
    case "undefined":
      return undefined;
    case "string":
      return hasLoneSurrogate(item) ? "a string holds a lone surrogate, which UTF-8 cannot carry" : undefined;
    case "object":
      break;
    default:
      return `a ${typeof item} is not plain data`;
  }
  if (item === null) return undefined;
  if (item instanceof Uint8Array) {
    if (!sending && Object.getPrototypeOf(item) !== Uint8Array.prototype) return "a byte array of an unexpected class";
    return undefined;
  }
  const inner = depth + 1;
  if (inner > depthMax) return `nested deeper than ${depthMax} levels`;
  const prototype: unknown = Object.getPrototypeOf(item);
  if (Array.isArray(item)) {
    if (prototype !== Array.prototype) return "an array of an unexpected class";
    for (let i = 0; i < item.length; i++) {
      const problem = problemOf(item[i], inner, depthMax, sending);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (prototype !== Object.prototype && !(sending && prototype === null)) {
    return `a ${describeClass(item)} is not plain data`;
  }
  const keys = Object.keys(item);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (hasLoneSurrogate(key)) return "a key holds a lone surrogate, which UTF-8 cannot carry";
    if (sending && key === "__proto__") return "an own __proto__ key, which msgpackr renames on decoding";
    const problem = problemOf((item as Record<string, unknown>)[key], inner, depthMax, sending);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function describeClass(item: object): string {
  const name: unknown = (item as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name.length > 0 && name.length <= 64 ? name : "non-plain object";
}
