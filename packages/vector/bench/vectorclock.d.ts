/** Types for the npm peer `vectorclock` (mixu/vectorclock), which ships none; only what the benchmark calls. */
declare module "vectorclock" {
  export type Clock = Record<string, number>;
  /** Increments `nodeId` in place and returns the same object. */
  export function increment(clock: Clock, nodeId: string): Clock;
  /** -1 before, 1 after, 0 equal or concurrent. */
  export function compare(a: Clock, b: Clock): number;
  export function merge(a: Clock, b: Clock): Clock;
}
