/** Checksums: CRC-32C on every stored and replicated record. */
export { crc32c } from "./crc32c.js";
