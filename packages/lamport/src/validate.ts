/**
 * The checks behind "public methods validate, private ones trust" (as in
 * abstract-level): every value that enters the package through a public
 * method passes here once, and the code behind it never checks again.
 */
import { counterMax, nodeIdAlphabet, nodeIdBytesMax, nodeIdCharacterClass } from "./constants.js";

/** 1 at the code of each character a node id may use. */
const nodeIdCharCodes = new Uint8Array(128);
for (const char of nodeIdAlphabet) nodeIdCharCodes[char.charCodeAt(0)] = 1;

/** Why `nodeId` is not a node id, or `undefined` if it is one. Shared by the argument checks and the parser. */
export function nodeIdProblem(nodeId: string): string | undefined {
  if (nodeId.length === 0) return "the node id is empty";
  if (nodeId.length > nodeIdBytesMax) return `the node id has ${nodeId.length} characters, more than ${nodeIdBytesMax}`;
  for (let i = 0; i < nodeId.length; i++) {
    if (nodeIdCharCodes[nodeId.charCodeAt(i)] !== 1) {
      return `the node id has ${JSON.stringify(nodeId[i])} at ${i}; it may use only ${nodeIdCharacterClass}`;
    }
  }
  return undefined;
}

export function checkNodeId(nodeId: unknown, caller: string): string {
  if (typeof nodeId !== "string") throw new TypeError(`${caller}: the node id must be a string, got ${typeof nodeId}`);
  const problem = nodeIdProblem(nodeId);
  if (problem !== undefined) throw new RangeError(`${caller}: ${problem}`);
  return nodeId;
}

/**
 * A counter is an integer in [0, counterMax]; -0 is normalised to 0, so that
 * it prints and compares as 0. Kept small, with the error built elsewhere, so
 * that the JIT inlines it into `receive`.
 */
export function checkCounter(counter: unknown, caller: string, what: string): number {
  if (typeof counter === "number" && counter >= 0 && counter <= counterMax && Number.isInteger(counter)) {
    return counter === 0 ? 0 : counter;
  }
  throw badCounter(counter, caller, what);
}

function badCounter(counter: unknown, caller: string, what: string): TypeError | RangeError {
  return typeof counter === "number"
    ? new RangeError(`${caller}: ${what} must be an integer in [0, ${counterMax}], got ${counter}`)
    : new TypeError(`${caller}: ${what} must be a number, got ${typeof counter}`);
}
