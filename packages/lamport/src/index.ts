/**
 * @skew/lamport: the Lamport clock (Lamport 1978), a counter per node that
 * orders events consistently with causality, and the stamps it hands out.
 */
export { LamportClock, type LamportClockOptions } from "./clock.js";
export { counterMax, nodeIdAlphabet, nodeIdBytesMax, stampBytesMax } from "./constants.js";
export { LamportError, type LamportErrorCode } from "./errors.js";
export { compareLamportStamps, LamportStamp } from "./stamp.js";
