import type { ClusterNodesView, ClusterView } from "@skew/client/api";
import { describe, expect, it } from "vitest";
import { PhiHistory } from "../app/lib/phi-history.js";
import { servingState, stateSeenBy } from "../app/lib/states.js";

const ids = ["n1", "n2", "n3"];

function view(node: string, phi: Record<string, number | null>, suspected: readonly string[] = []): ClusterView {
  return {
    node,
    cluster: "test",
    buckets: { causal: "causal" },
    clock: { wallMs: 0, systemMs: 0, offsetMs: 0, driftPpm: 0, hlc: 0, truetime: null },
    members: ids.map((id) =>
      id === node
        ? { id, url: `http://${id}`, self: true }
        : {
            id,
            url: `http://${id}`,
            self: false,
            phi: phi[id] ?? null,
            suspected: suspected.includes(id),
            lastHeartbeatAgoMs: phi[id] === undefined ? null : 50,
            clockOffsetMs: 0,
          },
    ),
    hints: 0,
    repairs: { running: 0, completed: 0, recovering: 0 },
    storage: {},
    transport: {},
  };
}

function nodes(views: (ClusterView | null)[]): ClusterNodesView {
  return {
    node: "n1",
    nodes: views.map((v, i) => ({
      id: ids[i] as string,
      url: `http://${ids[i]}`,
      view: v,
      error: v === null ? { code: "TIMEOUT", message: "no answer in 1 s" } : null,
      tookMs: 3,
    })),
  };
}

describe("phi history", () => {
  it("keeps one series per observer and peer, aligned on the poll times, null where a node did not answer", () => {
    const history = new PhiHistory(10);
    history.add(1_000, nodes([view("n1", { n2: 0.5, n3: 1 }), view("n2", { n1: 0.2, n3: 0.3 }), null]));
    history.add(2_000, nodes([view("n1", { n2: 0.6, n3: 9 }), null, view("n3", { n1: 0.1, n2: 0.1 })]));
    expect(history.samples).toBe(2);
    expect(history.observers()).toEqual(["n1", "n2", "n3"]);
    expect(history.chart("n1")).toEqual({
      peers: ["n2", "n3"],
      data: [
        [1, 2],
        [0.5, 0.6],
        [1, 9],
      ],
    });
    expect(history.chart("n2")).toEqual({
      peers: ["n1", "n3"],
      data: [
        [1, 2],
        [0.2, null],
        [0.3, null],
      ],
    });
    expect(history.chart("n3")).toEqual({
      peers: ["n1", "n2"],
      data: [
        [1, 2],
        [null, 0.1],
        [null, 0.1],
      ],
    });
  });

  it("drops the oldest samples past its capacity", () => {
    const history = new PhiHistory(3);
    for (let i = 1; i <= 5; i++) history.add(i * 1_000, nodes([view("n1", { n2: i, n3: null }), null, null]));
    expect(history.chart("n1")).toEqual({
      peers: ["n2", "n3"],
      data: [
        [3, 4, 5],
        [3, 4, 5],
        [null, null, null],
      ],
    });
    expect(() => new PhiHistory(0)).toThrow(RangeError);
  });
});

describe("node states", () => {
  it("reads a view's membership: self, up, suspected, or not heard from yet", () => {
    const v = view("n1", { n2: 0.4 }, ["n2"]);
    expect(stateSeenBy(v, "n1")).toBe("self");
    expect(stateSeenBy(v, "n2")).toBe("suspected");
    expect(stateSeenBy(v, "n3")).toBe("unheard");
    expect(stateSeenBy(view("n1", { n2: 0.4 }), "n2")).toBe("up");
  });

  it("the serving node's verdict: unreachable when its fan-out got no answer, else its failure detector's", () => {
    const cluster = nodes([view("n1", { n2: 0.5, n3: 12 }, ["n3"]), view("n2", {}), null]);
    expect(servingState(cluster, "n1")).toBe("up");
    expect(servingState(cluster, "n2")).toBe("up");
    expect(servingState(cluster, "n3")).toBe("unreachable");
    const answered = nodes([view("n1", { n2: 0.5, n3: 12 }, ["n3"]), view("n2", {}), view("n3", {})]);
    expect(servingState(answered, "n3")).toBe("suspected");
  });
});
