/** Anti-entropy: Merkle trees over a partition's records, and the exchange that compares two of them. */
export { exchangeLevelsPerRoundDefault, merkleDepthDefault, merkleDepthMax } from "./constants.js";
export {
  type CompareTreesOptions,
  compareTrees,
  descendantIndexes,
  differingIndexes,
  differingKeys,
  type TreeComparison,
} from "./exchange.js";
export { MerkleTree, type MerkleTreeOptions } from "./tree.js";
