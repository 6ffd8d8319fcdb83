/**
 * Deletes that must stay deleted: one client writes, reads back and deletes
 * key after key, each key only once, so that a value that ever reads back
 * after its acknowledged delete came back from the dead (a tombstone removed
 * too early, a replica that missed the delete and repaired the others with
 * the old value). The swarm runs it beside the set workload. Each step (put,
 * get, delete) is an operation of the driver's history.
 */
import type { Random } from "@skew/env";
import type { ClientRequest, QuorumOptions } from "@skew/kv";
import { codeOf, type Driver, type Outcome, type WorkloadClient } from "../driver.js";
import { text } from "../text.js";

export interface DeleteWorkloadOptions {
  readonly driver: Driver;
  readonly bucket: string;
  /** The keys, written and deleted one after another (none of them is ever written again). */
  readonly keys: readonly string[];
  readonly client: string;
  /** The nodes the client sends to, in turn, one per key. */
  readonly nodes: readonly string[];
  /** Pause before each key, drawn uniformly in [0, thinkMsMax]. */
  readonly thinkMsMax: number;
  readonly random: Random;
  readonly quorum?: QuorumOptions;
  readonly clientTimeoutMs?: number;
}

/**
 * One client that, key after key, puts a value, reads it back and deletes
 * it with the read's context. A delete counts as acknowledged only when the
 * put was acknowledged, the read returned the value (so the delete's context
 * covers its version: in causal mode a delete supersedes only what its
 * context has seen) and the delete was acknowledged. Such a key must never
 * read back a value again: nothing else ever writes it.
 */
export class DeleteWorkload {
  /** Keys whose delete was acknowledged (see the class comment). */
  readonly deleted: string[] = [];
  /** Keys given up on: the put or the delete failed or went unanswered, or the read missed the value. */
  readonly abandoned: string[] = [];
  readonly #options: DeleteWorkloadOptions;
  /** The client process that has a request in flight (a crash abandons it). */
  #sender: WorkloadClient | undefined;
  #next = 0;
  #running = false;

  constructor(options: DeleteWorkloadOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running = true;
    this.#loop();
  }

  stop(): void {
    this.#running = false;
  }

  get idle(): boolean {
    return this.#sender === undefined || this.#options.driver.client(this.#options.client) !== this.#sender;
  }

  #loop(): void {
    const { driver, client, keys, random, thinkMsMax } = this.#options;
    if (this.#next >= keys.length) return;
    driver.client(client).after(random.float() * thinkMsMax, () => {
      if (!this.#running) return;
      const index = this.#next++;
      this.#putThenDelete(keys[index] as string, index, () => this.#loop());
    });
  }

  #putThenDelete(key: string, index: number, then: () => void): void {
    const { driver, bucket, client, nodes, quorum, clientTimeoutMs } = this.#options;
    const kv = driver.client(client);
    const node = nodes[index % nodes.length] as string;
    const value = `deleted ${key}`;
    const done = (deleted: boolean): void => {
      this.#sender = undefined;
      (deleted ? this.deleted : this.abandoned).push(key);
      then();
    };
    this.#sender = kv;
    // Each step is an operation of the history (f put, get, delete, names no checker reads; the key as its
    // value), under a process of its own key, so that an unanswered step leaves no process a later key reuses.
    const process = `${client}:${key}`;
    const step = (f: string, request: ClientRequest, next: (outcome: Outcome) => void): void => {
      driver.history.invoke(process, f, key);
      kv.call(
        node,
        request,
        (outcome) => {
          if (outcome.ok)
            driver.history.ok(process, f === "get" && outcome.kind === "get" ? outcome.values.length : key);
          else if (outcome.definite) driver.history.fail(process, { code: codeOf(outcome) });
          else driver.history.info(process, { code: codeOf(outcome) });
          next(outcome);
        },
        clientTimeoutMs,
      );
    };
    step("put", { kind: "put", bucket, key, value: text.encode(value), ...quorum }, (written) => {
      if (!written.ok) return done(false);
      step("get", { kind: "get", bucket, key, ...quorum }, (read) => {
        if (!read.ok || read.kind !== "get") return done(false);
        if (!read.values.some((v) => text.decode(v) === value)) return done(false);
        step("delete", { kind: "delete", bucket, key, context: read.context, ...quorum }, (removed) =>
          done(removed.ok),
        );
      });
    });
  }
}
