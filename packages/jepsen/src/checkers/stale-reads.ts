/**
 * Stale reads after the faults healed: once the replicas have converged
 * (checkers/convergence.ts), a read served by any one node alone (r = 1,
 * through that node as coordinator, which answers with its own copy: a
 * message a node sends itself is handled before any peer can answer) must
 * show everything the cluster acknowledged, and the same as the merged
 * final read (r = n). A node that does not is serving stale data: a write
 * that never reached it, a repair that never came, a value its replicas
 * superseded and it still shows.
 *
 * For each node the checker reports what its read missed, against two
 * references:
 *
 * - acknowledged: what the history alone says every later read must show.
 *   The set: every acknowledged add. The counter: the acknowledged
 *   increments (the counter checker's lower bound). A register: the
 *   acknowledged writes that no write which may have taken effect could
 *   have replaced, as the register checker judges a final read
 *   (checkers/register.ts); a fenced register also lets a write of a higher
 *   token replace an older token's write it raced (workloads/fenced.ts).
 * - final: the merged final read, which may hold more (writes of unknown
 *   outcome that landed, siblings).
 *
 * and what it showed beyond the final read (for a register, a value the
 * merge superseded; for the counter, a count above it). Values are decoded
 * with the workloads' codecs: ids for the registers, elements for the set,
 * the count for the counter.
 */
import { type Op, operations } from "../history.js";
import { counterCodec } from "../workloads/counter.js";
import { excusedByNewerToken } from "../workloads/fenced.js";
import { registerCodec } from "../workloads/register.js";
import { setCodec } from "../workloads/set.js";
import type { WorkloadKind } from "../workloads/suite.js";
import { checkCounter } from "./counter.js";
import { checkRegister } from "./register.js";

/** The lost-update workloads, and the fenced register. */
export type StaleReadsKind = WorkloadKind | "fenced";

/** One node's read with r = 1 through itself: the values it returned, or undefined when the read failed. */
export interface NodeRead {
  readonly node: string;
  readonly values: readonly Uint8Array[] | undefined;
}

/** A node whose read failed: not judged, and not fresh. */
export interface UnreadNode {
  readonly node: string;
  readonly read: false;
  readonly stale: true;
}

/** A node's read of a register or the set: ids or elements, ascending. */
export interface IdsStaleness {
  readonly node: string;
  readonly read: true;
  readonly measure: "ids";
  readonly shown: readonly number[];
  /** Acknowledged ids or elements it did not show. */
  readonly missedAcknowledged: readonly number[];
  /** Ids or elements of the final read it did not show (empty without a final read). */
  readonly missedFinal: readonly number[];
  /** Ids or elements it showed that the final read did not. */
  readonly beyondFinal: readonly number[];
  readonly stale: boolean;
}

/** A node's read of the counter: counts. */
export interface CountStaleness {
  readonly node: string;
  readonly read: true;
  readonly measure: "count";
  readonly shown: number;
  /** How far it fell below the acknowledged increments, below the final read, and rose above the final read. */
  readonly missedAcknowledged: number;
  readonly missedFinal: number;
  readonly beyondFinal: number;
  readonly stale: boolean;
}

export type NodeStaleness = UnreadNode | IdsStaleness | CountStaleness;

export interface StaleReadsReport {
  readonly kind: StaleReadsKind;
  /** What every node had to show by the history: ids or elements (ascending), or the count. */
  readonly acknowledged: readonly number[] | number;
  /** The merged final read, decoded; undefined when there was none. */
  readonly final: readonly number[] | number | undefined;
  /** In the order given. */
  readonly nodes: readonly NodeStaleness[];
  /** Nodes whose read missed something or showed something the final read did not. */
  readonly staleNodes: readonly string[];
  /** Nodes whose read failed. */
  readonly unread: readonly string[];
  /** Every node was read, and none was stale. */
  readonly fresh: boolean;
}

/**
 * Judges each node's r = 1 read of the workload's key against the history `ops` and the merged final
 * read's values (`finalValues`, undefined when there was none).
 */
export function checkStaleReads(
  kind: StaleReadsKind,
  ops: readonly Op[],
  finalValues: readonly Uint8Array[] | undefined,
  reads: readonly NodeRead[],
): StaleReadsReport {
  checkNodes(reads);
  const judged =
    kind === "counter" ? countStaleness(ops, finalValues, reads) : idsStaleness(kind, ops, finalValues, reads);
  const staleNodes = judged.nodes.filter((n) => n.read && n.stale).map((n) => n.node);
  const unread = judged.nodes.filter((n) => !n.read).map((n) => n.node);
  return { kind, ...judged, staleNodes, unread, fresh: staleNodes.length === 0 && unread.length === 0 };
}

type Judged = Pick<StaleReadsReport, "acknowledged" | "final" | "nodes">;

function checkNodes(reads: readonly NodeRead[]): void {
  const seen = new Set<string>();
  for (const { node } of reads) {
    if (typeof node !== "string" || node === "") throw new TypeError("checkStaleReads: a node is a non-empty string");
    if (seen.has(node)) throw new TypeError(`checkStaleReads: node ${node} read twice`);
    seen.add(node);
  }
}

function decodeIds(kind: Exclude<StaleReadsKind, "counter">, values: readonly Uint8Array[]): Set<number> {
  return kind === "set" ? setCodec.union(values) : new Set(registerCodec.ids(values));
}

const ascending = (values: Iterable<number>): number[] => [...values].sort((a, b) => a - b);

/** What a read after every operation must show, by the history (ascending). */
function mustShow(kind: Exclude<StaleReadsKind, "counter">, ops: readonly Op[]): number[] {
  if (kind === "set") {
    return ascending(
      new Set(operations(ops).flatMap((op) => (op.f === "add" && op.type === "ok" ? [op.value as number] : []))),
    );
  }
  // The register checker judging a final read that showed nothing names exactly the writes it had to show.
  // Only the writes: the history's own reads are not this checker's business.
  const writes = ops.filter((op) => op.f === "write");
  const owed = checkRegister(writes, []).lost;
  if (kind !== "fenced") return [...owed];
  const excused = excusedByNewerToken(operations(writes));
  return owed.filter((id) => !excused(id));
}

function minus(a: Iterable<number>, b: ReadonlySet<number>): number[] {
  return ascending([...a].filter((x) => !b.has(x)));
}

function idsStaleness(
  kind: Exclude<StaleReadsKind, "counter">,
  ops: readonly Op[],
  finalValues: readonly Uint8Array[] | undefined,
  reads: readonly NodeRead[],
): Judged {
  const owed = mustShow(kind, ops);
  const final = finalValues === undefined ? undefined : decodeIds(kind, finalValues);
  const nodes = reads.map(({ node, values }): NodeStaleness => {
    if (values === undefined) return { node, read: false, stale: true };
    const shown = decodeIds(kind, values);
    const missedAcknowledged = minus(owed, shown);
    const missedFinal = final === undefined ? [] : minus(final, shown);
    const beyondFinal = final === undefined ? [] : minus(shown, final);
    return {
      node,
      read: true,
      measure: "ids",
      shown: ascending(shown),
      missedAcknowledged,
      missedFinal,
      beyondFinal,
      stale: missedAcknowledged.length + missedFinal.length + beyondFinal.length > 0,
    };
  });
  return { acknowledged: owed, final: final === undefined ? undefined : ascending(final), nodes };
}

function countStaleness(
  ops: readonly Op[],
  finalValues: readonly Uint8Array[] | undefined,
  reads: readonly NodeRead[],
): Judged {
  // Only the increments (the history's reads are not this checker's business), summed as the counter checker does.
  const acknowledged = checkCounter(ops.filter((op) => op.f === "incr")).lowerBound;
  const final = finalValues === undefined ? undefined : counterCodec.count(finalValues);
  const nodes = reads.map(({ node, values }): NodeStaleness => {
    if (values === undefined) return { node, read: false, stale: true };
    const shown = counterCodec.count(values);
    const missedAcknowledged = Math.max(0, acknowledged - shown);
    const missedFinal = final === undefined ? 0 : Math.max(0, final - shown);
    const beyondFinal = final === undefined ? 0 : Math.max(0, shown - final);
    return {
      node,
      read: true,
      measure: "count",
      shown,
      missedAcknowledged,
      missedFinal,
      beyondFinal,
      stale: missedAcknowledged + missedFinal + beyondFinal > 0,
    };
  });
  return { acknowledged, final, nodes };
}

/** One line per stale or unread node, for a failure message. */
export function describeStaleReads(report: StaleReadsReport): string[] {
  return report.nodes
    .filter((n) => n.stale)
    .map((n) => {
      if (!n.read) return `${n.node}: the read failed`;
      const list = (what: string, x: readonly number[] | number) =>
        typeof x === "number"
          ? x > 0
            ? `${what} ${x}`
            : undefined
          : x.length > 0
            ? `${what} [${x.join(", ")}]`
            : undefined;
      const parts = [
        list("missed acknowledged", n.missedAcknowledged),
        list("missed of the final read", n.missedFinal),
        list("beyond the final read", n.beyondFinal),
      ].filter((part): part is string => part !== undefined);
      return `${n.node}: ${parts.join("; ")}`;
    });
}
