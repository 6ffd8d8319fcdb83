/**
 * Phi over time: each observer's phi for each of its peers, one sample per
 * poll, the last `phiSamplesMax` kept, in the column layout uPlot draws
 * (`[times, series...]`, a null where a value is missing).
 */
import type { ClusterNodesView } from "@skew/client/api";

/** Samples kept per series: two minutes at one poll a second. */
export const phiSamplesMax = 120;

export interface PhiChartData {
  readonly peers: readonly string[];
  /** `[seconds since the epoch, phi of peers[0], phi of peers[1], ...]`. */
  readonly data: [number[], ...(number | null)[][]];
}

export class PhiHistory {
  readonly #capacity: number;
  readonly #times: number[] = [];
  /** observer -> peer -> one value per time (null: no value at that time). */
  readonly #series = new Map<string, Map<string, (number | null)[]>>();

  constructor(capacity = phiSamplesMax) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be an integer >= 1");
    this.#capacity = capacity;
  }

  /** Records one poll, taken at `atMs` (ms since the epoch, the browser's clock: the x axis is the viewer's). */
  add(atMs: number, nodes: ClusterNodesView): void {
    this.#times.push(atMs / 1_000);
    const length = this.#times.length;
    for (const entry of nodes.nodes) {
      const view = entry.view;
      let peers = this.#series.get(entry.id);
      if (peers === undefined) {
        peers = new Map();
        this.#series.set(entry.id, peers);
      }
      for (const member of view?.members ?? []) {
        if (member.self) continue;
        let values = peers.get(member.id);
        if (values === undefined) {
          values = [];
          peers.set(member.id, values);
        }
        while (values.length < length - 1) values.push(null);
        values.push(member.phi ?? null);
      }
    }
    for (const peers of this.#series.values()) {
      for (const values of peers.values()) {
        while (values.length < length) values.push(null);
        if (values.length > this.#capacity) values.splice(0, values.length - this.#capacity);
      }
    }
    if (this.#times.length > this.#capacity) this.#times.splice(0, this.#times.length - this.#capacity);
  }

  get samples(): number {
    return this.#times.length;
  }

  observers(): string[] {
    return [...this.#series.keys()];
  }

  /** The chart of one observer's phi for its peers (peers sorted by id). */
  chart(observer: string): PhiChartData {
    const peers = this.#series.get(observer) ?? new Map<string, (number | null)[]>();
    const ids = [...peers.keys()].sort();
    return {
      peers: ids,
      data: [[...this.#times], ...ids.map((id) => [...(peers.get(id) ?? [])])],
    };
  }
}
