/**
 * `@skew/client/api`: the shapes a node's routes answer with, and their
 * decoders, for code that runs where Node does not: the dashboard, in a
 * browser, is typed against the same API as the client. Nothing here (nor
 * anything it imports) may import `undici`, a `node:` module or anything
 * that does; a test walks the import graph to keep it so. The client
 * (`@skew/client`) re-exports every type from here.
 *
 * Replies are the node's JSON, except where a decoder says otherwise (read
 * values are decoded from base64 to bytes). Each decoder takes the status
 * and the parsed body, returns `undefined` for a status that is not its
 * success (the body is then an error: `decodeErrorBody`), and throws
 * `InvalidReply` for a body of the wrong shape: nothing a node sends is
 * trusted by type.
 */

export * from "./shapes.js";

// ---- the decoders ---------------------------------------------------------------------------------------------------

export {
  decodeCluster,
  decodeDelete,
  decodeHealth,
  decodeHistory,
  decodePut,
  decodeRead,
  decodeSnapshot,
  InvalidReply,
} from "./wire.js";
export {
  decodeClock,
  decodeClusterNodes,
  decodeErrorBody,
  decodeKeyDebug,
  decodeKeyReplicas,
  decodeLostUpdateRun,
  decodeRecordView,
} from "./wire-ops.js";
