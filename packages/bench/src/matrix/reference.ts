/**
 * The published figures our table stands beside, as data, with their
 * source: Jepsen's analysis of Riak, which ran the set workload (concurrent
 * read-modify-write adds) against a five-node cluster.
 */

export interface ReferenceFigure {
  /** What was run, in the source's terms. */
  readonly setup: string;
  /** The share of acknowledged writes lost, in percent. */
  readonly lostPercent: number;
  /** The matrix cell that runs the closest thing here (mode / workload / fault). */
  readonly closestCell: string;
}

export interface ReferenceSource {
  readonly author: string;
  readonly title: string;
  readonly publisher: string;
  readonly year: number;
  readonly url: string;
}

/** First published as "Call me maybe: Riak", the same post at the same number. */
export const jepsenRiakSource: ReferenceSource = {
  author: "Kyle Kingsbury",
  title: "Jepsen: Riak",
  publisher: "aphyr.com",
  year: 2013,
  url: "https://aphyr.com/posts/285-jepsen-riak",
};

export const referenceFigures: readonly ReferenceFigure[] = [
  {
    setup: "last-write-wins, healthy cluster",
    lostPercent: 71.7,
    closestCell: "lww-wall / set / none",
  },
  {
    setup: "last-write-wins, R = W = quorum, with a partition",
    lostPercent: 91.4,
    closestCell: "lww-wall / set / partition",
  },
  {
    setup: "siblings (allow_mult) merged by set union",
    lostPercent: 0,
    closestCell: "causal / set / any",
  },
];
