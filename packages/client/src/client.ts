/**
 * `SkewClient`: Dynamo's interface, `get(key) -> (values, context)` and
 * `put(key, context, value)`, over a node's HTTP API. It keeps the context
 * of a read for the write that follows (`update`), decodes siblings, spreads
 * calls over the nodes round robin, and retries only where that cannot
 * write twice (retry.ts). One undici agent with kept-alive connections
 * serves every node.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describeValue } from "@skew/env";
import { Agent, type Dispatcher } from "undici";
import { attempt, type Call } from "./attempt.js";
import { answerMarginMs, connectionsPerNodeMax, keepAliveTimeoutMs, timeoutMsMax } from "./constants.js";
import { clientErrorCodes, type FailureDetails, SkewClientError } from "./errors.js";
import {
  headerValue,
  type NodeAddress,
  name,
  nodeAddress,
  optionalBoolean,
  optionalInteger,
  optionalSignal,
  optionalTimestamp,
  optionsObject,
  type ResolvedClientOptions,
  resolveClientOptions,
} from "./options.js";
import { contextHeader, encodeValue, fenceHeader, path, resolvedValue, withQuery } from "./request.js";
import { backoffMs, mayRetry } from "./retry.js";
import type {
  ClusterNodesView,
  ClusterView,
  DeleteResult,
  GetResult,
  HealthResult,
  HistoryResult,
  KeyReplicasView,
  PutResult,
  SnapshotResult,
} from "./shapes.js";
import type {
  DeleteOptions,
  GetOptions,
  HistoryOptions,
  NodeCallOptions,
  PutOptions,
  Resolver,
  SkewClientOptions,
  SnapshotOptions,
  UpdateOptions,
} from "./types.js";
import {
  decodeCluster,
  decodeDelete,
  decodeHealth,
  decodeHistory,
  decodePut,
  decodeRead,
  decodeSnapshot,
} from "./wire.js";
import { decodeClusterNodes, decodeKeyReplicas } from "./wire-ops.js";

const quorumNames = ["n", "timeoutMs", "signal"] as const;
const getNames = [...quorumNames, "r", "pr", "at", "wait"] as const;
const writeNames = [...quorumNames, "w", "pw", "context", "fence", "ifMatch"] as const;
const putNames = [...writeNames, "contentType", "ifNoneMatch"] as const;
const snapshotNames = [...quorumNames, "r", "pr", "wait"] as const;
const updateNames = [...quorumNames, "r", "pr", "w", "pw", "fence", "contentType"] as const;
const nodeCallNames = ["node", "signal"] as const;

const quorumCount = (value: unknown, name: string) => optionalInteger(value, name, 0);
const serverTimeout = (value: unknown) => optionalInteger(value, "timeoutMs", 1, timeoutMsMax);
const fenceOf = (value: unknown) => optionalInteger(value, "fence", 0);

export class SkewClient {
  readonly #options: ResolvedClientOptions;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  /** Where the next call starts: calls go round the nodes, and a retry moves on to the next one. */
  #cursor = 0;
  #closed = false;

  constructor(options: SkewClientOptions) {
    this.#options = resolveClientOptions(options);
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: keepAliveTimeoutMs,
        connections: connectionsPerNodeMax,
        connect: { timeout: this.#options.connectTimeoutMs },
      });
  }

  /** The nodes' base URLs, normalised, in the order calls go round them. */
  get nodes(): readonly string[] {
    return this.#options.nodes.map((n) => n.url);
  }

  /**
   * Reads a key: every sibling and the causal context. Found, with siblings,
   * or not (`found: false`, no siblings): both are a read that succeeded,
   * and both carry the context to write with.
   */
  async get(bucket: string, key: string, options?: GetOptions): Promise<GetResult> {
    const o = optionsObject(options, "get options", getNames);
    const at = optionalTimestamp(o.at, "at");
    const wait = optionalBoolean(o.wait, "wait");
    if (wait !== undefined && at === undefined)
      throw new TypeError("wait applies to reads at a timestamp: give at as well");
    const timeout = serverTimeout(o.timeoutMs);
    const query = {
      r: quorumCount(o.r, "r"),
      pr: quorumCount(o.pr, "pr"),
      n: quorumCount(o.n, "n"),
      timeout,
      at,
      wait,
    };
    return this.#run({
      request: { method: "GET", path: withQuery(path(name(bucket, "bucket"), name(key, "key")), query), headers: {} },
      writes: false,
      decode: decodeRead,
      serverTimeoutMs: timeout,
      signal: optionalSignal(o.signal),
    });
  }

  /**
   * Writes a value. Without `context` the write is blind: in a causal
   * bucket it becomes a sibling of whatever the key holds; with the context
   * of a read it supersedes what that read saw (`update` does both steps).
   */
  async put(bucket: string, key: string, value: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    const o = optionsObject(options, "put options", putNames);
    const contentType = o.contentType === undefined ? undefined : headerValue(o.contentType, "contentType", false);
    const encoded = encodeValue(value, contentType, "value");
    const headers = this.#writeHeaders(o);
    headers["content-type"] = encoded.contentType;
    if (optionalBoolean(o.ifNoneMatch, "ifNoneMatch") === true) headers["if-none-match"] = "*";
    return this.#write("PUT", bucket, key, o, headers, encoded.bytes, decodePut);
  }

  /** Deletes a key (a tombstone); with the context of a read, only what that read saw. */
  async delete(bucket: string, key: string, options?: DeleteOptions): Promise<DeleteResult> {
    const o = optionsObject(options, "delete options", writeNames);
    return this.#write("DELETE", bucket, key, o, this.#writeHeaders(o), undefined, decodeDelete);
  }

  /**
   * Reads, lets `resolve` merge every sibling into one value (it gets `[]`
   * when the key has none, and the one value when there is one), and writes
   * the result with the read's context.
   *
   * This read-modify-write is what makes a causal bucket lose nothing: the
   * write supersedes exactly the siblings the read saw, so a write that
   * landed in between is not among them and stays, as a sibling, for the
   * next `update` to merge. A blind `put` in a causal bucket loses nothing
   * either, but adds a sibling; in an LWW bucket a concurrent write between
   * the read and the write is overwritten all the same (use `ifMatch` with
   * `put` to refuse instead, which narrows the window but does not close it).
   */
  async update(bucket: string, key: string, resolve: Resolver, options?: UpdateOptions): Promise<PutResult> {
    const o = optionsObject(options, "update options", updateNames);
    if (typeof resolve !== "function") throw new TypeError(`resolve must be a function, got ${describeValue(resolve)}`);
    const contentType = o.contentType === undefined ? undefined : headerValue(o.contentType, "contentType", false);
    const shared = {
      ...(o.n === undefined ? {} : { n: o.n as number }),
      ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs as number }),
      ...(o.signal === undefined ? {} : { signal: o.signal as AbortSignal }),
    };
    const read = await this.get(bucket, key, {
      ...shared,
      ...(o.r === undefined ? {} : { r: o.r as number }),
      ...(o.pr === undefined ? {} : { pr: o.pr as number }),
    });
    const { bytes, contentType: resolvedType } = resolvedValue(await resolve(read.siblings), contentType);
    return this.put(bucket, key, bytes, {
      ...shared,
      context: read.context,
      contentType: resolvedType,
      ...(o.w === undefined ? {} : { w: o.w as number }),
      ...(o.pw === undefined ? {} : { pw: o.pw as number }),
      ...(o.fence === undefined ? {} : { fence: o.fence as number }),
    });
  }

  /** Several keys of one bucket as of one timestamp `at` (in the bucket's clock); a consistent cut in HLC, TrueTime and causal buckets. */
  async snapshot(
    bucket: string,
    keys: readonly string[],
    at: number,
    options?: SnapshotOptions,
  ): Promise<SnapshotResult> {
    const o = optionsObject(options, "snapshot options", snapshotNames);
    if (!Array.isArray(keys)) throw new TypeError(`keys must be an array of strings, got ${describeValue(keys)}`);
    if (keys.length === 0) throw new RangeError("keys must name at least one key");
    const checked = keys.map((key: unknown) => name(key, "key"));
    if (at === undefined) throw new TypeError("at must be a number, got undefined");
    const atChecked = optionalTimestamp(at, "at");
    const timeout = serverTimeout(o.timeoutMs);
    const body: Record<string, unknown> = { keys: checked, at: atChecked };
    const extra = {
      wait: optionalBoolean(o.wait, "wait"),
      r: quorumCount(o.r, "r"),
      pr: quorumCount(o.pr, "pr"),
      n: quorumCount(o.n, "n"),
      timeout,
    };
    for (const [field, value] of Object.entries(extra)) if (value !== undefined) body[field] = value;
    return this.#run({
      request: {
        method: "POST",
        path: `${path(name(bucket, "bucket"))}/snapshot`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      },
      writes: false,
      decode: decodeSnapshot,
      serverTimeoutMs: timeout,
      signal: optionalSignal(o.signal),
    });
  }

  /** What each primary of the key keeps of its history: stamps, writers, sizes (no values). */
  async history(bucket: string, key: string, options?: HistoryOptions): Promise<HistoryResult> {
    const o = optionsObject(options, "history options", quorumNames);
    const timeout = serverTimeout(o.timeoutMs);
    return this.#run({
      request: {
        method: "GET",
        path: withQuery(`${path(name(bucket, "bucket"), name(key, "key"))}/history`, {
          n: quorumCount(o.n, "n"),
          timeout,
        }),
        headers: {},
      },
      writes: false,
      decode: decodeHistory,
      serverTimeoutMs: timeout,
      signal: optionalSignal(o.signal),
    });
  }

  /** One node's `/health`: `status` is `ok` while it serves. Not retried elsewhere: it is about that node. */
  async health(options?: NodeCallOptions): Promise<HealthResult> {
    return this.#nodeCall("health options", "/health", decodeHealth, options);
  }

  /** One node's `/cluster`: members, their phi and clock offsets as that node sees them, its clocks and buckets. */
  async cluster(options?: NodeCallOptions): Promise<ClusterView> {
    return this.#nodeCall("cluster options", "/cluster", decodeCluster, options);
  }

  /**
   * Every member's `/cluster` at once, as one node sees them: that node
   * answers its own entry and asks each other member (1 s each); a member
   * that did not answer has `view: null` and an `error`.
   */
  async clusterNodes(options?: NodeCallOptions): Promise<ClusterNodesView> {
    return this.#nodeCall("clusterNodes options", "/cluster/nodes", decodeClusterNodes, options);
  }

  /**
   * Each replica's own record of a key (stamp, or dots, version vector and
   * siblings), fetched by one node from every node of the key's preference
   * list: what anti-entropy and read repair have not reconciled yet shows.
   */
  async keyReplicas(bucket: string, key: string, options?: NodeCallOptions): Promise<KeyReplicasView> {
    const route = `/debug/keys/${encodeURIComponent(name(bucket, "bucket"))}/${encodeURIComponent(name(key, "key"))}/replicas`;
    return this.#nodeCall("keyReplicas options", route, decodeKeyReplicas, options);
  }

  /** Closes the client's own agent once calls in flight are done (a dispatcher handed in is the caller's to close). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  #nodeCall<T>(
    what: string,
    route: string,
    decode: Call<T>["decode"],
    options: NodeCallOptions | undefined,
  ): Promise<T> {
    const o = optionsObject(options, what, nodeCallNames);
    const only = o.node === undefined ? this.#options.nodes[0] : nodeAddress(o.node, "node");
    return this.#run({
      request: { method: "GET", path: route, headers: {} },
      writes: false,
      decode,
      serverTimeoutMs: undefined,
      signal: optionalSignal(o.signal),
      ...(only === undefined ? {} : { only }),
    });
  }

  #writeHeaders(o: Record<string, unknown>): Record<string, string> {
    const headers: Record<string, string> = {};
    const context = o.context === undefined ? undefined : headerValue(o.context, "context", true);
    const ifMatch = o.ifMatch === undefined ? undefined : headerValue(o.ifMatch, "ifMatch", false);
    if (ifMatch !== undefined && context !== undefined && context !== ifMatch) {
      throw new TypeError(
        "ifMatch already names the context the write supersedes: give context the same value, or leave it out",
      );
    }
    if (context !== undefined && context !== "") headers[contextHeader] = context;
    if (ifMatch !== undefined) headers["if-match"] = `"${ifMatch}"`;
    const fence = fenceOf(o.fence);
    if (fence !== undefined) headers[fenceHeader] = String(fence);
    return headers;
  }

  #write<T>(
    method: "PUT" | "DELETE",
    bucket: string,
    key: string,
    o: Record<string, unknown>,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    decode: Call<T>["decode"],
  ): Promise<T> {
    const timeout = serverTimeout(o.timeoutMs);
    const query = { w: quorumCount(o.w, "w"), pw: quorumCount(o.pw, "pw"), n: quorumCount(o.n, "n"), timeout };
    return this.#run({
      request: {
        method,
        path: withQuery(path(name(bucket, "bucket"), name(key, "key")), query),
        headers,
        ...(body === undefined ? {} : { body }),
      },
      writes: true,
      decode,
      serverTimeoutMs: timeout,
      signal: optionalSignal(o.signal),
    });
  }

  /** Runs a call: one node after another while the failure allows it, within `retries`. */
  async #run<T>(call: Call<T>): Promise<T> {
    if (this.#closed) throw new TypeError("the SkewClient is closed");
    const nodes = call.only === undefined ? this.#options.nodes : [call.only];
    const retries = call.only === undefined ? this.#options.retries : 0;
    const start = this.#cursor;
    if (call.only === undefined) this.#cursor = (this.#cursor + 1) % nodes.length;
    const waitMs = Math.max(
      this.#options.timeoutMs,
      call.serverTimeoutMs === undefined ? 0 : call.serverTimeoutMs + answerMarginMs,
    );
    let attempts = 0;
    let definite = true;
    let last: FailureDetails | undefined;
    for (;;) {
      if (call.signal?.aborted) {
        throw new SkewClientError(
          {
            code: "ABORTED",
            message: clientErrorCodes.ABORTED,
            definite,
            ...(last?.node === undefined ? {} : { node: last.node }),
            cause: call.signal.reason,
          },
          attempts,
        );
      }
      const node = nodes[(start + attempts) % nodes.length] as NodeAddress;
      attempts++;
      const failure = await attempt(this.#dispatcher, node, call, waitMs);
      if (failure.ok) return failure.value;
      last = failure.details;
      definite &&= last.definite;
      if (attempts > retries || !mayRetry(last, call.writes))
        throw new SkewClientError({ ...last, definite }, attempts);
      try {
        await sleep(
          backoffMs(attempts, Math.random),
          undefined,
          call.signal === undefined ? undefined : { signal: call.signal },
        );
      } catch {
        // Aborted while pausing: the loop's check reports it.
      }
    }
  }
}
