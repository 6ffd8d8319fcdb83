/**
 * Final reads on the simulator, after the faults have healed: Jepsen reads
 * once more when a test ends and judges that read. They run the simulation
 * forward (`KvCluster.callAndWait`), so they are the simulator driver's; a
 * live driver reads the same way with real waits.
 */
import { liveValues, replicasDefault } from "@skew/kv";
import { JepsenError } from "../errors.js";
import { text } from "../text.js";
import { setCodec } from "../workloads/set.js";
import type { KvCluster } from "./cluster.js";

/** The set's final read (`KvCluster.finalRead`), as the union of its siblings. */
export function finalSetRead(
  cluster: KvCluster,
  reader: string,
  node: string,
  bucket: string,
  key: string,
  rounds = 2,
): Set<number> {
  return setCodec.union(cluster.finalRead(reader, node, bucket, key, { rounds }));
}

/** Attempts per read before a run is declared unhealed. */
const finalReadAttemptsMax = 20;

/**
 * Reads each key through every node in turn with r = n (retrying a failed
 * read: a read writes nothing) and looks at every node's own record of it;
 * returns each value found, live, for a key in `keys`.
 */
export function deletedKeysReadBack(
  cluster: KvCluster,
  reader: string,
  nodes: readonly string[],
  bucket: string,
  keys: readonly string[],
): string[] {
  const found: string[] = [];
  for (const key of keys) {
    for (const node of nodes) {
      for (let failures = 0; ; ) {
        const read = cluster.callAndWait(reader, node, { kind: "get", bucket, key, r: replicasDefault });
        if (read.ok && read.kind === "get") {
          for (const value of read.values) found.push(`${bucket}/${key} read through ${node}: ${text.decode(value)}`);
          break;
        }
        if (++failures > finalReadAttemptsMax) {
          throw new JepsenError(
            "FINAL_READ_FAILED",
            `read of ${key} through ${node} failed ${failures} times, last: ${JSON.stringify(read)}`,
          );
        }
        cluster.sim.run({ forMs: 50 });
      }
      const record = cluster.node(node).localRecord(bucket, key);
      for (const value of record === undefined ? [] : liveValues(record))
        found.push(`${bucket}/${key} held by ${node}: ${text.decode(value)}`);
    }
  }
  return found;
}
