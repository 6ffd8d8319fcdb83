import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.js";

/**
 * The shared configuration, with a longer time limit per test: the matrix's laws run up to a hundred
 * simulated cells in one test (about 10 s on a quiet machine), and `npm test` runs every package at once on
 * 2 cores. A time limit here would test the machine, not the code.
 */
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 300_000, hookTimeout: 300_000 } }));
