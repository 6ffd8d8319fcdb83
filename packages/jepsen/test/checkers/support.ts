/** Hand-made histories: a `History` on a clock the test moves, in microseconds. */
import { History } from "../../src/index.js";

export function handHistory(): { readonly history: History; at(us: number): History } {
  let nowUs = 0;
  const history = new History(() => nowUs);
  return {
    history,
    /** Moves the clock to `us` and returns the history, to chain one operation per line. */
    at(us: number): History {
      if (us < nowUs) throw new RangeError(`time goes forward: ${us} < ${nowUs}`);
      nowUs = us;
      return history;
    },
  };
}
