/**
 * Jepsen's final read, against real nodes: once the faults have healed and
 * the clients have drained, read the key with r = n (every replica answers,
 * and read repair brings the stale ones up to the merge) until two reads
 * have succeeded, 50 ms apart, and judge the last. The same reads as the
 * simulator's (`KvCluster.finalRead` and the fallback in sim/run.ts), with
 * real waits: the first read repairs, the second sees the repair; a failed
 * read is retried, as a read writes nothing.
 *
 * When a replica cannot answer (one whose clock is so far off that its
 * peers refuse its messages, past the HLC's max offset), r = n never
 * succeeds; a majority read through each node in turn still meets every
 * acknowledged write (R + W > N).
 */
import { replicasDefault } from "@skew/kv";
import type { Outcome } from "../driver.js";
import { JepsenError } from "../errors.js";
import type { HttpDriver } from "./http-driver.js";

export interface LiveFinalReadOptions {
  /** Successful reads to make; the last one's values are returned (default 2: the first repairs). */
  readonly rounds?: number;
  /** Replicas that must answer (default N). */
  readonly r?: number;
  /** Failed reads allowed before `FINAL_READ_FAILED` (default 20). */
  readonly attemptsMax?: number;
  /** The coordinator's quorum wait for each read, ms (default the node's). */
  readonly timeoutMs?: number;
}

/** Failed reads allowed before a run is declared unhealed. */
const finalReadAttemptsMax = 20;
/** Between two reads: read repair lands. */
const repairMs = 50;
/** Failed reads allowed per attempt of `finalReadAcross` before it moves on. */
const acrossAttemptsMax = 5;

function callOnce(driver: HttpDriver, reader: string, node: string, request: Parameters<HttpDriver["call"]>[1]) {
  return new Promise<Outcome>((resolve) => driver.client(reader).call(node, request, resolve));
}

function pause(driver: HttpDriver, reader: string, ms: number): Promise<void> {
  return new Promise((resolve) => driver.client(reader).after(ms, resolve));
}

/** Reads `bucket/key` through `node` until `rounds` reads succeeded; the last one's values, or `FINAL_READ_FAILED`. */
export async function liveFinalRead(
  driver: HttpDriver,
  reader: string,
  node: string,
  bucket: string,
  key: string,
  options: LiveFinalReadOptions = {},
): Promise<Uint8Array[]> {
  const { rounds = 2, r = replicasDefault, attemptsMax = finalReadAttemptsMax } = options;
  const request = {
    kind: "get" as const,
    bucket,
    key,
    r,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  let values: Uint8Array[] | undefined;
  let failures = 0;
  for (let round = 0; round < rounds; ) {
    const read = await callOnce(driver, reader, node, request);
    if (read.ok && read.kind === "get") {
      values = read.values;
      round++;
    } else if (++failures > attemptsMax) {
      throw new JepsenError(
        "FINAL_READ_FAILED",
        `final read of ${bucket}/${key} through ${node} with r = ${r} failed ${failures} times, last: ${JSON.stringify(read)}`,
      );
    }
    await pause(driver, reader, repairMs);
  }
  return values as Uint8Array[];
}

/**
 * The final read as the simulator's run makes it: r = N through the middle node (with skewed clocks the
 * one closest to every other), then r = a majority of N through each node in turn. Undefined when every
 * attempt failed (a cluster that never healed: the run has no final verdict).
 */
export async function finalReadAcross(
  driver: HttpDriver,
  reader: string,
  nodes: readonly string[],
  bucket: string,
  key: string,
): Promise<{ readonly values: Uint8Array[]; readonly r: number } | undefined> {
  const middle = Math.floor(nodes.length / 2);
  // Every replica of the key (N, or every node of a smaller cluster), then a majority of them.
  const all = Math.min(nodes.length, replicasDefault);
  const majority = Math.floor(all / 2) + 1;
  const attempts = [
    { node: nodes[middle] as string, r: all },
    ...[...nodes.slice(middle), ...nodes.slice(0, middle)].map((node) => ({ node, r: majority })),
  ];
  for (const { node, r } of attempts) {
    try {
      return {
        values: await liveFinalRead(driver, reader, node, bucket, key, { r, attemptsMax: acrossAttemptsMax }),
        r,
      };
    } catch (error) {
      if (!(error instanceof JepsenError && error.code === "FINAL_READ_FAILED")) throw error;
    }
  }
  return undefined;
}
