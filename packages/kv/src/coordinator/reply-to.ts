/**
 * Where a coordinated request's answer goes: to the node's own client (the
 * driver polls it with `pollReplies`), or back to the node that forwarded the
 * request (a causal write reaching a node that does not replicate its key).
 */
import type { OperationId } from "../messages.js";

export type RequestId = string | number;

export type ReplyTo =
  | { readonly kind: "client"; readonly requestId: RequestId }
  | { readonly kind: "peer"; readonly node: string; readonly op: OperationId };
