/**
 * The limits and defaults of the scenarios, with their units in their names
 * (TigerBeetle's constants.zig). Each scenario's own figures (a lease of
 * 30 s, a pause of 40 s, a skew of 10 ms) sit at the top of its file, beside
 * the story they come from.
 */

/** The seed `skew scenario run` uses when none is given. */
export const seedDefault = 1;

/** The simulator's seed range (`Simulation` takes a 32-bit integer, signed or not). */
export const seedMin = -0x8000_0000;
export const seedMax = 0xffff_ffff;

/**
 * Entries one run's timeline keeps at most: a narration is for reading, so a
 * scenario narrates the first occurrences of a repeated event and counts the
 * rest; past this limit entries are counted, not kept.
 */
export const timelineEntriesMax = 400;
