/** fast-check generators shared by the tests: node ids and stamps, biased toward ties. */
import { counterMax, LamportStamp, nodeIdAlphabet, nodeIdBytesMax } from "@skew/lamport";
import fc from "fast-check";

/** Any valid node id, or one of a few short ones so that equal node ids (and ties on them) come up often. */
export const nodeIdArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("a", "b", "ab", "b-1", "node:7"),
  fc.string({ unit: fc.constantFrom(...nodeIdAlphabet), minLength: 1, maxLength: nodeIdBytesMax }),
);

/** Small counters (so that counters tie), the edges, and anything in between. */
export const counterArbitrary: fc.Arbitrary<number> = fc.oneof(
  fc.nat({ max: 3 }),
  fc.constantFrom(counterMax - 1, counterMax),
  fc.nat({ max: counterMax }),
);

export const stampArbitrary: fc.Arbitrary<LamportStamp> = fc
  .tuple(counterArbitrary, nodeIdArbitrary)
  .map(([counter, nodeId]) => LamportStamp.of(counter, nodeId));
