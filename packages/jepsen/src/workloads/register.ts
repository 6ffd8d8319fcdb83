/**
 * Register workloads on one key, each write carrying a unique id (1, 2,
 * 3, ... across the workload) as its value, so that a read names the
 * writes it saw. Judged by `checkRegister` (checkers/register.ts).
 *
 * - `SequentialWriters`, the chapter's "writes mysteriously disappear"
 *   (3.3): writers take turns, each through its own coordinator; a turn
 *   starts only once the previous one has ended, reads the key (the read
 *   checks that the previous write is there) and writes a new id with the
 *   read's context, as a careful client of a Dynamo store does. In real
 *   time each write follows the last, so each must replace it; a write
 *   stamped by a slow clock below its predecessor's does not, in LWW.
 * - `BlindWriters`: concurrent writers overwriting the key without reading
 *   it (no context), each on its own loop. In a causal store every blind
 *   write is a sibling until a reader resolves them (past `siblingsMax` the
 *   store refuses more, definitely); in LWW one value survives.
 * - `RegisterReaders`: clients that only read, each on its own loop, so
 *   that the checker sees the key between writes.
 */
import type { ClientRequest } from "@skew/kv";
import { codeOf } from "../driver.js";
import { JepsenError } from "../errors.js";
import { text } from "../text.js";
import { type ClientAt, Workload, type WorkloadOptions } from "./workload.js";

export const registerCodec = {
  encode(id: number): Uint8Array {
    return text.encode(String(id));
  },
  decode(bytes: Uint8Array): number {
    const written = text.decode(bytes);
    const id = Number(written);
    if (!(written !== "" && Number.isSafeInteger(id)))
      throw new JepsenError("VALUE_MALFORMED", `not a write id: ${written}`);
    return id;
  },
  /** The ids of every sibling, ascending: a read's ok value in the history. */
  ids(values: readonly Uint8Array[]): number[] {
    return values.map((value) => registerCodec.decode(value)).sort((a, b) => a - b);
  },
};

export interface WritersOptions extends WorkloadOptions {
  /** The writers and their coordinators; `SequentialWriters` passes the turn in this order. */
  readonly writers: readonly ClientAt[];
}

/** Reads and writes of the register; writes carry ids 1, 2, 3, ... in invocation order. */
abstract class RegisterWorkload<Options extends WorkloadOptions> extends Workload<Options> {
  #next = 0;

  /** How many writes were invoked. */
  get attempted(): number {
    return this.#next;
  }

  /** Writes a new id through `node`, with `context` (none: blind). */
  protected write(
    client: string,
    process: string,
    node: string,
    context: string | undefined,
    then: (process: string) => void,
  ): void {
    const { bucket, key, quorum, clientTimeoutMs } = this.options;
    const id = ++this.#next;
    this.operate(
      client,
      process,
      "write",
      id,
      (kv, finish) => {
        const put: ClientRequest = {
          kind: "put",
          bucket,
          key,
          value: registerCodec.encode(id),
          ...(context === undefined ? {} : { context }),
          ...quorum,
        };
        kv.call(
          node,
          put,
          (written) => {
            const type = Workload.completionOf(written);
            finish(type, type === "ok" ? id : { code: codeOf(written) });
          },
          clientTimeoutMs,
        );
      },
      then,
    );
  }

  /** Reads the key through `node`; `then` gets the next process and the read's context (undefined: it failed). */
  protected read(
    client: string,
    process: string,
    node: string,
    then: (process: string, context: string | undefined) => void,
  ): void {
    const { bucket, key, quorum, clientTimeoutMs } = this.options;
    let context: string | undefined;
    this.operate(
      client,
      process,
      "read",
      null,
      (kv, finish) => {
        kv.call(
          node,
          { kind: "get", bucket, key, ...quorum },
          (read) => {
            if (!read.ok || read.kind !== "get") return finish("fail", { code: codeOf(read) });
            context = read.context;
            finish("ok", registerCodec.ids(read.values));
          },
          clientTimeoutMs,
        );
      },
      (next) => then(next, context),
    );
  }
}

/** Writers taking turns, each turn a read then a write with its context, until stopped. */
export class SequentialWriters extends RegisterWorkload<WritersOptions> {
  /** Each writer's current process. */
  readonly #processes = new Map<string, string>();
  #turn = 0;

  protected begin(): void {
    if (this.options.writers.length === 0) throw new RangeError("SequentialWriters: at least one writer is needed");
    for (const { client } of this.options.writers) this.#processes.set(client, client);
    this.#takeTurn();
  }

  #takeTurn(): void {
    const { client, node } = this.options.writers[this.#turn++ % this.options.writers.length] as ClientAt;
    const advance = (process: string) => this.#processes.set(client, process);
    this.think(client, () => {
      this.read(client, this.#processes.get(client) as string, node, (process, context) => {
        advance(process);
        // A failed read writes nothing: the turn passes. A stop between the read and the write ends the chain.
        if (context === undefined || !this.running) return this.#continue();
        this.write(client, process, node, context, (after) => {
          advance(after);
          this.#continue();
        });
      });
    });
  }

  #continue(): void {
    if (this.running) this.#takeTurn();
  }
}

/** Concurrent writers overwriting the key blind, each on its own loop, until stopped. */
export class BlindWriters extends RegisterWorkload<WritersOptions> {
  protected begin(): void {
    for (const { client, node } of this.options.writers) this.#loop(client, client, node);
  }

  #loop(client: string, process: string, node: string): void {
    this.think(client, () => this.write(client, process, node, undefined, (next) => this.#loop(client, next, node)));
  }
}

export interface ReadersOptions extends WorkloadOptions {
  readonly readers: readonly ClientAt[];
}

/** Clients reading the key, each on its own loop, until stopped. */
export class RegisterReaders extends RegisterWorkload<ReadersOptions> {
  protected begin(): void {
    for (const { client, node } of this.options.readers) this.#loop(client, client, node);
  }

  #loop(client: string, process: string, node: string): void {
    this.think(client, () => this.read(client, process, node, (next) => this.#loop(client, next, node)));
  }
}
