/**
 * Clients updating one key by read-modify-write, each on its own loop: read
 * the key, fold every value read into one state (one value in a
 * last-write-wins bucket; every sibling in a causal one, as Riak's
 * `allow_mult` hands them to the client to merge), apply the operation and
 * write the result back with the read's context. The operation is
 * acknowledged when that write is; a failed read fails it definitely
 * (nothing was written); a failed write is definite or not as the store
 * labels it. The completion records how many values the read returned.
 *
 * The set and counter workloads are this loop with their own merge.
 */
import type { ClientRequest } from "@skew/kv";
import { codeOf } from "../driver.js";
import { type ClientAt, Workload, type WorkloadOptions } from "./workload.js";

export interface ReadModifyWriteOptions extends WorkloadOptions {
  /** Each client and the node it sends its requests to (Jepsen's Riak test: one client per node). */
  readonly clients: readonly ClientAt[];
}

export abstract class ReadModifyWrite<Options extends ReadModifyWriteOptions> extends Workload<Options> {
  /** The history's `f` of each operation. */
  protected abstract readonly f: string;
  /** The next operation's invoke value (an element, a delta). */
  protected abstract next(client: string): unknown;
  /** The bytes to write back: the operation applied to the merge of the values read. */
  protected abstract apply(values: readonly Uint8Array[], value: unknown, client: string): Uint8Array;
  /** The ok value recorded in the history. */
  protected abstract acknowledged(value: unknown, siblings: number): unknown;

  protected begin(): void {
    for (const { client, node } of this.options.clients) this.#loop(client, client, node);
  }

  #loop(client: string, process: string, node: string): void {
    this.think(client, () => this.#update(client, process, node, (next) => this.#loop(client, next, node)));
  }

  #update(client: string, process: string, node: string, then: (process: string) => void): void {
    const { bucket, key, quorum, clientTimeoutMs } = this.options;
    const value = this.next(client);
    this.operate(
      client,
      process,
      this.f,
      value,
      (kv, finish) => {
        kv.call(
          node,
          { kind: "get", bucket, key, ...quorum },
          (read) => {
            if (!read.ok || read.kind !== "get") return finish("fail", { code: codeOf(read) });
            const siblings = read.values.length;
            const put: ClientRequest = {
              kind: "put",
              bucket,
              key,
              value: this.apply(read.values, value, client),
              context: read.context,
              ...quorum,
            };
            kv.call(
              node,
              put,
              (written) => {
                const type = Workload.completionOf(written);
                finish(type, type === "ok" ? this.acknowledged(value, siblings) : { code: codeOf(written), siblings });
              },
              clientTimeoutMs,
            );
          },
          clientTimeoutMs,
        );
      },
      then,
    );
  }
}
