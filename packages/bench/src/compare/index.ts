/** `skew compare`: every part of the comparison, its tables, its JSON and its report. */
export { type CompareOptions, compareCommand, compareUsage } from "./command.js";
