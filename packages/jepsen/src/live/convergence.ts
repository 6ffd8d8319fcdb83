/**
 * After the faults heal, against real nodes: wait until the replicas have
 * converged, then read the key through each node alone.
 *
 * - `awaitConvergence` polls every node's `GET /debug/merkle` (the root of
 *   each partition it replicates, @skew/node's routes/ops.ts) until the
 *   convergence checker (checkers/convergence.ts) finds every partition's
 *   replicas equal, or the deadline passes. It never throws for a cluster
 *   that did not converge: it returns the last snapshot, the checker's
 *   report and how long it waited, and the caller's verdict says what that
 *   means (anti-entropy too slow, or replicas that never agree).
 * - `readEachNode` reads a key with r = 1 through every node at once: each
 *   coordinator answers with its own copy (its message to itself is handled
 *   before any peer's answer can arrive), which is what the stale-reads
 *   checker (checkers/stale-reads.ts) judges. The reads go out together, so
 *   that one read's repair does not reach another node before that node's
 *   own read. Only the key's replicas have a copy: with more nodes than N,
 *   read through its replicas.
 *
 * `@skew/client` has node-level calls (`health`, `cluster`) but no debug
 * ones, so `/debug/merkle` is fetched directly.
 */
import { describeValue, sleep } from "@skew/env";
import { SystemTimers } from "@skew/env/system";
import { type ConvergenceReport, checkConvergence, type NodeRoots } from "../checkers/convergence.js";
import type { NodeRead } from "../checkers/stale-reads.js";
import type { Outcome } from "../driver.js";
import { HttpDriver } from "./http-driver.js";

/** Between two looks at the roots: anti-entropy exchanges one (partition, peer) pair per interval. */
export const convergencePollMsDefault = 100;
/** How long one `/debug/merkle` may take: it does no I/O, only a paused or overloaded node is slower. */
export const merkleRequestTimeoutMsDefault = 2_000;

/** Node id to base URL, as `HttpDriver` takes them; or base URLs alone, each then its own id. */
export type NodeUrls = Readonly<Record<string, string>> | readonly string[];

function entriesOf(nodes: NodeUrls, what: string): [string, string][] {
  const entries: [string, string][] = Array.isArray(nodes)
    ? (nodes as readonly string[]).map((url) => [url, url])
    : Object.entries(nodes as Readonly<Record<string, string>>);
  if (entries.length === 0) throw new TypeError(`${what}: no nodes`);
  for (const [id, url] of entries) {
    if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
      throw new TypeError(`${what}: node ${describeValue(id)}'s URL must be http(s)://..., got ${describeValue(url)}`);
    }
  }
  return entries;
}

/** One node's `/debug/merkle`: its roots, or why there are none. */
export interface MerkleLook extends NodeRoots {
  /** Why the node's roots are missing (no answer, a refusal, another node's id at that URL); undefined when they are not. */
  readonly problem: string | undefined;
}

/** Asks node `id` at `url` for its roots; never throws for the node's failures. */
async function lookAt(id: string, url: string, timeoutMs: number, checkId: boolean): Promise<MerkleLook> {
  const endpoint = `${url.replace(/\/+$/, "")}/debug/merkle`;
  const missing = (problem: string): MerkleLook => ({ node: id, roots: undefined, problem });
  let response: Response;
  try {
    response = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return missing(`GET ${endpoint}: no answer (${String(error)})`);
  }
  const body = await response.text().catch((error: unknown) => `(body unreadable: ${String(error)})`);
  if (response.status !== 200) return missing(`GET ${endpoint}: ${response.status} ${body.slice(0, 200)}`);
  let parsed: { node?: unknown; roots?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return missing(`GET ${endpoint}: not JSON: ${body.slice(0, 200)}`);
  }
  if (checkId && parsed.node !== id) return missing(`GET ${endpoint}: answered as ${JSON.stringify(parsed.node)}`);
  if (typeof parsed.roots !== "object" || parsed.roots === null || Array.isArray(parsed.roots)) {
    return missing(`GET ${endpoint}: no roots in ${body.slice(0, 200)}`);
  }
  const roots = new Map<number, number>();
  for (const [partition, root] of Object.entries(parsed.roots)) {
    const index = Number(partition);
    if (!(/^\d+$/.test(partition) && Number.isSafeInteger(index) && Number.isSafeInteger(root))) {
      return missing(`GET ${endpoint}: partition ${partition}'s root is ${JSON.stringify(root)}`);
    }
    roots.set(index, root as number);
  }
  return { node: id, roots, problem: undefined };
}

/** Every node's roots, asked at once. */
export async function merkleSnapshot(
  nodes: NodeUrls,
  requestTimeoutMs = merkleRequestTimeoutMsDefault,
): Promise<MerkleLook[]> {
  const entries = entriesOf(nodes, "merkleSnapshot");
  if (!(Number.isFinite(requestTimeoutMs) && requestTimeoutMs > 0)) {
    throw new RangeError(`merkleSnapshot: requestTimeoutMs must be > 0, got ${describeValue(requestTimeoutMs)}`);
  }
  return Promise.all(entries.map(([id, url]) => lookAt(id, url, requestTimeoutMs, !Array.isArray(nodes))));
}

export interface AwaitConvergenceOptions {
  /** How long to wait for convergence in all, ms. */
  readonly deadlineMs: number;
  /** Between two snapshots (default `convergencePollMsDefault`). */
  readonly pollMs?: number;
  /** Each node's answer, at most (default `merkleRequestTimeoutMsDefault`); the last snapshot may end this far past the deadline. */
  readonly requestTimeoutMs?: number;
}

export interface AwaitedConvergence {
  /** The last snapshot's verdict. */
  readonly converged: boolean;
  readonly report: ConvergenceReport;
  /** The last snapshot: each node's roots, or why they are missing. */
  readonly snapshot: readonly MerkleLook[];
  /** From the call until the converged snapshot was complete, or until the last one, at the deadline, ms. */
  readonly tookMs: number;
  /** Snapshots taken. */
  readonly snapshots: number;
}

/**
 * Polls the nodes' Merkle roots until every partition's replicas agree, or until no snapshot can start
 * within `deadlineMs` (the last one may take up to `requestTimeoutMs` past it).
 */
export async function awaitConvergence(nodes: NodeUrls, options: AwaitConvergenceOptions): Promise<AwaitedConvergence> {
  const { deadlineMs } = options;
  const pollMs = options.pollMs ?? convergencePollMsDefault;
  const requestTimeoutMs = options.requestTimeoutMs ?? merkleRequestTimeoutMsDefault;
  entriesOf(nodes, "awaitConvergence");
  for (const [name, value] of [
    ["deadlineMs", deadlineMs],
    ["pollMs", pollMs],
    ["requestTimeoutMs", requestTimeoutMs],
  ] as const) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`awaitConvergence: ${name} must be a finite number > 0, got ${describeValue(value)}`);
    }
  }
  const timers = new SystemTimers();
  const startMs = performance.now();
  let snapshots = 0;
  for (;;) {
    // Every snapshot gets the whole request timeout: one cut short by the deadline would report live nodes as
    // unreachable. So the last one may end up to `requestTimeoutMs` past the deadline.
    const snapshot = await merkleSnapshot(nodes, requestTimeoutMs);
    snapshots++;
    const report = checkConvergence(snapshot);
    const tookMs = performance.now() - startMs;
    if (report.converged || tookMs + pollMs > deadlineMs) {
      return { converged: report.converged, report, snapshot, tookMs, snapshots };
    }
    await sleep(timers, pollMs);
  }
}

export interface ReadEachNodeOptions {
  /** The coordinator's quorum wait for each read, ms (default the node's). */
  readonly timeoutMs?: number;
  /** The driver's client id the reads go through (default `"stale-reader"`). */
  readonly reader?: string;
}

/** A node's r = 1 read, and the store's failure code when it failed. */
export interface LiveNodeRead extends NodeRead {
  readonly failure: string | undefined;
}

/**
 * Reads `bucket/key` with r = 1 through every node at once, through `target`'s clients (an `HttpDriver`:
 * its nodes; the reads are not recorded in its history) or through a driver of its own (base URLs).
 */
export async function readEachNode(
  target: HttpDriver | NodeUrls,
  bucket: string,
  key: string,
  options: ReadEachNodeOptions = {},
): Promise<LiveNodeRead[]> {
  const driver =
    target instanceof HttpDriver
      ? target
      : new HttpDriver({ nodes: Object.fromEntries(entriesOf(target, "readEachNode")) });
  const reader = options.reader ?? "stale-reader";
  const request = {
    kind: "get" as const,
    bucket,
    key,
    r: 1,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  try {
    return await Promise.all(
      driver.nodes.map(
        (node) =>
          new Promise<LiveNodeRead>((resolve) =>
            driver.client(reader).call(node, request, (outcome: Outcome) => {
              resolve(
                outcome.ok && outcome.kind === "get"
                  ? { node, values: outcome.values, failure: undefined }
                  : { node, values: undefined, failure: outcome.ok ? `a ${outcome.kind} reply` : outcome.code },
              );
            }),
          ),
      ),
    );
  } finally {
    if (driver !== target) await driver.close();
  }
}
