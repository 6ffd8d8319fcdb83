import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../vitest.shared.js";

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ["**/*.test.ts"],
      exclude: ["**/node_modules/**", "**/fixtures/**"],
      // One file at a time: the lab's and the fault suite's node processes would otherwise share two cores.
      fileParallelism: false,
    },
  }),
);
