/**
 * The fault-injection lab: a small network on this machine where each node
 * process has its own Linux network namespace and address, so a partition
 * is packets really dropped by the kernel, not a flag in the node.
 *
 * Layout (for lab id `<k>-<pid>`: subnet `10.213.<k>.0/24`, owner pid):
 *
 * ```text
 * root namespace: bridge skw<k>-<pid> with the runner's address 10.213.<k>.1/24
 *   veth s<k>-<pid>-<i> ── eth0 in namespace skew-<k>-<pid>-<node i>, 10.213.<k>.<10+i>/24
 * ```
 *
 * The runner (this process) reaches every node's address directly; nodes
 * reach each other over the bridge. Faults are firewall rules inside the
 * namespaces (drops, random loss) and a user-space relay per node (delay,
 * see relay.mjs): every namespace redirects TCP to another node's
 * `nodePort` to that node's `relayPort` (DNAT in nat OUTPUT), so
 * node-to-node traffic passes the receiver's relay while the runner's
 * client traffic goes to the node straight.
 *
 * Faults are declared, not scripted: `applyNetwork(state)` makes the whole
 * network match `state` (rules rebuilt per namespace, each namespace
 * replaced atomically with one `iptables-restore`, only the namespaces whose
 * rules changed), and `heal()` is the empty state.
 *
 * A drop from A to B is a DROP of packets from A in B's INPUT chain (none in
 * A's OUTPUT: a local OUTPUT drop makes sends fail with EPERM, which no real
 * network does). For TCP a one-way drop still stalls connections both ways:
 * A's segments never reach B, and B's connections to A never get their ACKs
 * back. That is what a one-way fault does to a real TCP network.
 *
 * Nothing may leak from a failed run: `destroy()` (idempotent) stops the
 * relays, kills whatever still runs in the namespaces and deletes them and
 * the bridge; a synchronous best-effort cleanup runs on process exit; and
 * every `Lab.create` first sweeps the labs whose owner pid (in every name)
 * is dead (ownership.ts, which also claims the subnet `<k>` so concurrent
 * labs on one machine never share one).
 */
import { commandTimeoutMs, ipBestEffort, isRecord, killAllIn, run } from "./commands.js";
import { LabError } from "./errors.js";
import {
  bridgeName,
  claimSubnet,
  labId,
  labNetworkPrefix,
  namespaceName,
  releaseSubnet,
  sweepStaleLabs,
  vethName,
} from "./ownership.js";
import { type RelayDelay, RelayProcess } from "./relay-process.js";

export { labLockDirectory, labNetworkPrefix, sweepStaleLabs } from "./ownership.js";
export type { RelayDelay } from "./relay-process.js";

/** Most nodes in one lab (a node cluster has at most 16). */
export const labNodesMax = 16;
export const defaultNodePort = 7000;
export const defaultRelayPort = 7100;

const nodeIdPattern = /^[A-Za-z0-9_]{1,32}$/;
/** The iptables chain of the lab's rules in each namespace, jumped to from INPUT. */
const chain = "SKEW";

export interface LabOptions {
  /** The node ids, in order: the i-th (from 1) gets address `10.213.<k>.<10+i>`. */
  readonly nodes: readonly string[];
  /** The port every node listens on, in its own namespace. */
  readonly nodePort?: number;
  /** The port of every node's relay, in its own namespace. */
  readonly relayPort?: number;
}

export interface Link {
  readonly from: string;
  readonly to: string;
}

/** The network a lab should have, as node ids; `applyNetwork` makes it so. */
export interface NetworkState {
  /** Packets from `from` to `to` dropped (one direction; a full cut is both pairs). */
  readonly drops: readonly Link[];
  /** Packets from `from` to `to` dropped with this probability, in (0, 1] (iptables `statistic --mode random`). */
  readonly loss: readonly (Link & { readonly probability: number })[];
  /**
   * Delay on the link from -> to: `to`'s relay holds back each chunk of the
   * connections `from` opened to it, in both directions (a request and its
   * answer are both delayed, so a round trip takes about 2 x meanMs more).
   * Connections `to` opens to `from` go through `from`'s relay instead.
   */
  readonly delay: readonly (Link & { readonly meanMs: number; readonly jitterMs: number })[];
}

export const healthyNetwork: NetworkState = Object.freeze({
  drops: Object.freeze([]),
  loss: Object.freeze([]),
  delay: Object.freeze([]),
});

export interface ExecOptions {
  /** Default `commandTimeoutMs`. */
  readonly timeoutMs?: number;
}

export class Lab {
  readonly id: string;
  readonly nodes: readonly string[];
  readonly hostAddress: string;
  readonly nodePort: number;
  readonly relayPort: number;
  readonly #subnet: number;
  readonly #bridge: string;
  readonly #relays = new Map<string, RelayProcess>();
  /** Per node: the SKEW chain's rules as last applied, and the relay's table as last sent (JSON). */
  readonly #appliedRules = new Map<string, string>();
  readonly #appliedDelays = new Map<string, string>();
  #network: NetworkState = healthyNetwork;
  #queue: Promise<void> = Promise.resolve();
  #destroying: Promise<void> | undefined;
  readonly #onExit = (): void => this.#destroySync();

  private constructor(subnet: number, options: Required<LabOptions>) {
    this.#subnet = subnet;
    this.id = labId(subnet, process.pid);
    this.nodes = Object.freeze([...options.nodes]);
    this.nodePort = options.nodePort;
    this.relayPort = options.relayPort;
    this.hostAddress = `${labNetworkPrefix}.${subnet}.1`;
    this.#bridge = bridgeName(this.id);
  }

  /**
   * Builds a lab: sweeps the stale ones, claims a subnet, makes the bridge,
   * the namespaces, the redirections and the relays. A failure part way
   * leaves nothing behind.
   */
  static async create(options: LabOptions): Promise<Lab> {
    if (process.getuid?.() !== 0) {
      throw new LabError("LAB_NOT_ROOT", "the lab needs root: network namespaces, veth pairs and iptables");
    }
    const resolved = validateOptions(options);
    await sweepStaleLabs();
    const lab = new Lab(claimSubnet(), resolved);
    process.once("exit", lab.#onExit);
    try {
      await lab.#build();
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  /** The network as last applied. */
  get network(): NetworkState {
    return this.#network;
  }

  addressOf(node: string): string {
    return `${labNetworkPrefix}.${this.#subnet}.${10 + this.#indexOf(node) + 1}`;
  }

  namespaceOf(node: string): string {
    this.#indexOf(node);
    return namespaceName(this.id, node);
  }

  /** The node's base URL, `http://<address>:<nodePort>`. */
  urlOf(node: string): string {
    return `http://${this.addressOf(node)}:${this.nodePort}`;
  }

  /** The launcher that runs a command in the node's namespace: `["ip", "netns", "exec", <namespace>]` (it execs). */
  wrap(node: string): readonly string[] {
    return ["ip", "netns", "exec", this.namespaceOf(node)];
  }

  /** Runs a command in the node's namespace; its stdout. LAB_COMMAND_FAILED (with stderr) if it fails. */
  async exec(node: string, argv: readonly string[], options: ExecOptions = {}): Promise<string> {
    this.#checkLive();
    return run("ip", ["netns", "exec", this.namespaceOf(node), ...argv], options.timeoutMs ?? commandTimeoutMs);
  }

  /**
   * Makes the network `state`: validated first (LAB_UNKNOWN_NODE, LAB_INVALID),
   * then each namespace whose rules changed is replaced in one
   * `iptables-restore`, and each relay whose delays changed gets its new
   * table. Calls are applied one after another, in call order.
   */
  async applyNetwork(state: NetworkState): Promise<void> {
    this.#checkLive();
    const next = this.#normalize(state);
    const applied = this.#queue.then(() => this.#apply(next));
    this.#queue = applied.catch(() => undefined);
    return applied;
  }

  /** Every link whole again: no drop, no loss, no delay. */
  async heal(): Promise<void> {
    return this.applyNetwork(healthyNetwork);
  }

  /** Stops the relays, kills what still runs in the namespaces, deletes them and the bridge. Idempotent. */
  async destroy(): Promise<void> {
    this.#destroying ??= this.#destroy();
    return this.#destroying;
  }

  #indexOf(node: string): number {
    const index = this.nodes.indexOf(node);
    if (index < 0) throw new LabError("LAB_UNKNOWN_NODE", `no node ${JSON.stringify(node)} in lab ${this.id}`);
    return index;
  }

  #checkLive(): void {
    if (this.#destroying !== undefined) throw new LabError("LAB_DESTROYED", `lab ${this.id} was destroyed`);
  }

  #vethOf(node: string): string {
    return vethName(this.id, this.#indexOf(node) + 1);
  }

  async #build(): Promise<void> {
    await run("ip", ["link", "add", "name", this.#bridge, "type", "bridge"]);
    await run("ip", ["addr", "add", `${this.hostAddress}/24`, "dev", this.#bridge]);
    await run("ip", ["link", "set", this.#bridge, "up"]);
    for (const node of this.nodes) {
      const namespace = this.namespaceOf(node);
      const veth = this.#vethOf(node);
      await run("ip", ["netns", "add", namespace]);
      await run("ip", ["link", "add", "name", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace]);
      await run("ip", ["link", "set", veth, "master", this.#bridge, "up"]);
      await run("ip", ["-n", namespace, "addr", "add", `${this.addressOf(node)}/24`, "dev", "eth0"]);
      await run("ip", ["-n", namespace, "link", "set", "eth0", "up"]);
      await run("ip", ["-n", namespace, "link", "set", "lo", "up"]);
    }
    await Promise.all(this.nodes.map((node) => this.#installBaseRules(node)));
    await Promise.all(this.nodes.map((node) => this.#startRelay(node)));
  }

  /** The empty SKEW chain jumped to from INPUT, and the redirections of other nodes' nodePort to their relays. */
  async #installBaseRules(node: string): Promise<void> {
    const redirects = this.nodes
      .filter((other) => other !== node)
      .map((other) => {
        const address = this.addressOf(other);
        return `-A OUTPUT -d ${address}/32 -p tcp -m tcp --dport ${this.nodePort} -j DNAT --to-destination ${address}:${this.relayPort}`;
      });
    const rules = [
      "*filter",
      `:${chain} - [0:0]`,
      `-A INPUT -j ${chain}`,
      "COMMIT",
      "*nat",
      ...redirects,
      "COMMIT",
      "",
    ];
    await run("ip", ["netns", "exec", this.namespaceOf(node), "iptables-restore"], undefined, rules.join("\n"));
    this.#appliedRules.set(node, "");
  }

  async #startRelay(node: string): Promise<void> {
    const relay = await RelayProcess.start({
      node,
      namespace: this.namespaceOf(node),
      address: this.addressOf(node),
      relayPort: this.relayPort,
      nodePort: this.nodePort,
    });
    this.#relays.set(node, relay);
    this.#appliedDelays.set(node, "[]");
  }

  #normalize(state: NetworkState): NetworkState {
    const link = (what: string, entry: Link): void => {
      if (!isRecord(entry)) throw new LabError("LAB_INVALID", `${what}: each entry is { from, to, ... }`);
      this.#indexOf(entry.from);
      this.#indexOf(entry.to);
      if (entry.from === entry.to) throw new LabError("LAB_INVALID", `${what}: a link from ${entry.from} to itself`);
    };
    const pairKey = (entry: Link): string => `${entry.from}\u0000${entry.to}`;
    const unique = (what: string, entries: readonly Link[]): void => {
      const seen = new Set(entries.map(pairKey));
      if (seen.size !== entries.length) throw new LabError("LAB_INVALID", `${what}: a link given twice`);
    };
    const milliseconds = (what: string, value: unknown): number => {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
        throw new LabError("LAB_INVALID", `${what} must be a finite number of ms >= 0, not ${String(value)}`);
      return value;
    };
    if (!isRecord(state) || !Array.isArray(state.drops) || !Array.isArray(state.loss) || !Array.isArray(state.delay))
      throw new LabError("LAB_INVALID", "a network state is { drops, loss, delay }, three arrays");
    for (const entry of state.drops) link("drops", entry);
    for (const entry of state.loss) {
      link("loss", entry);
      const p = entry.probability;
      if (typeof p !== "number" || !(p > 0 && p <= 1))
        throw new LabError("LAB_INVALID", `loss ${entry.from}->${entry.to}: probability must be in (0, 1], not ${p}`);
    }
    for (const entry of state.delay) {
      link("delay", entry);
      milliseconds(`delay ${entry.from}->${entry.to}: meanMs`, entry.meanMs);
      milliseconds(`delay ${entry.from}->${entry.to}: jitterMs`, entry.jitterMs);
    }
    unique("loss", state.loss);
    unique("delay", state.delay);
    const drops = [...new Map(state.drops.map((d) => [pairKey(d), { from: d.from, to: d.to }])).values()];
    return Object.freeze({
      drops: Object.freeze(drops.map((d) => Object.freeze(d))),
      loss: Object.freeze(state.loss.map((l) => Object.freeze({ from: l.from, to: l.to, probability: l.probability }))),
      delay: Object.freeze(
        state.delay.map((d) => Object.freeze({ from: d.from, to: d.to, meanMs: d.meanMs, jitterMs: d.jitterMs })),
      ),
    });
  }

  /** The SKEW chain of `node`'s namespace for `state`: what it drops arriving from whom. */
  #rulesOf(node: string, state: NetworkState): string {
    const lines: string[] = [];
    const order = (a: Link, b: Link): number => this.#indexOf(a.from) - this.#indexOf(b.from);
    for (const drop of state.drops.filter((d) => d.to === node).sort(order)) {
      lines.push(`-A ${chain} -s ${this.addressOf(drop.from)}/32 -j DROP`);
    }
    for (const loss of state.loss.filter((l) => l.to === node).sort(order)) {
      lines.push(
        `-A ${chain} -s ${this.addressOf(loss.from)}/32 -m statistic --mode random --probability ${loss.probability} -j DROP`,
      );
    }
    return lines.join("\n");
  }

  #delaysOf(node: string, state: NetworkState): RelayDelay[] {
    return state.delay
      .filter((d) => d.to === node)
      .map((d) => ({ from: this.addressOf(d.from), meanMs: d.meanMs, jitterMs: d.jitterMs }));
  }

  async #apply(state: NetworkState): Promise<void> {
    this.#checkLive();
    // A dead relay breaks every connection to its node: that must not pass for a fault the schedule chose.
    for (const relay of this.#relays.values()) relay.check();
    // A namespace or relay whose update failed is forgotten (deleted from the
    // caches first), so the next call redoes it whatever it compares with.
    await Promise.all(
      this.nodes.map(async (node) => {
        const rules = this.#rulesOf(node, state);
        if (this.#appliedRules.get(node) === rules) return;
        this.#appliedRules.delete(node);
        const input = ["*filter", `:${chain} - [0:0]`, `-F ${chain}`, ...(rules === "" ? [] : [rules]), "COMMIT", ""];
        await run(
          "ip",
          ["netns", "exec", this.namespaceOf(node), "iptables-restore", "--noflush"],
          undefined,
          input.join("\n"),
        );
        this.#appliedRules.set(node, rules);
      }),
    );
    await Promise.all(
      this.nodes.map(async (node) => {
        const delays = this.#delaysOf(node, state);
        const text = JSON.stringify(delays);
        if (this.#appliedDelays.get(node) === text) return;
        this.#appliedDelays.delete(node);
        await this.#relayOf(node).setDelays(delays);
        this.#appliedDelays.set(node, text);
      }),
    );
    this.#network = state;
  }

  #relayOf(node: string): RelayProcess {
    const relay = this.#relays.get(node);
    if (relay === undefined) throw new LabError("LAB_RELAY_FAILED", `the relay of ${node} was never started`);
    return relay;
  }

  async #destroy(): Promise<void> {
    await this.#queue;
    await Promise.all([...this.#relays.values()].map((relay) => relay.stop()));
    for (const node of this.nodes) {
      const namespace = this.namespaceOf(node);
      killAllIn(namespace);
      await run("ip", ["netns", "del", namespace]).catch(() => undefined);
      await run("ip", ["link", "del", this.#vethOf(node)]).catch(() => undefined);
    }
    await run("ip", ["link", "del", this.#bridge]).catch(() => undefined);
    releaseSubnet(this.#subnet);
    process.off("exit", this.#onExit);
  }

  /** The exit hook: no awaiting possible, so everything synchronous and best effort. */
  #destroySync(): void {
    for (const relay of this.#relays.values()) relay.killNow();
    for (const node of this.nodes) {
      const namespace = this.namespaceOf(node);
      killAllIn(namespace);
      ipBestEffort(["netns", "del", namespace]);
      ipBestEffort(["link", "del", this.#vethOf(node)]);
    }
    ipBestEffort(["link", "del", this.#bridge]);
    releaseSubnet(this.#subnet);
  }
}

function validateOptions(options: LabOptions): Required<LabOptions> {
  const nodes = options.nodes;
  if (!Array.isArray(nodes) || nodes.length < 1 || nodes.length > labNodesMax)
    throw new LabError("LAB_INVALID", `a lab has 1 to ${labNodesMax} nodes`);
  for (const node of nodes) {
    if (typeof node !== "string" || !nodeIdPattern.test(node))
      throw new LabError("LAB_INVALID", `node id ${JSON.stringify(node)}: letters, digits and '_', at most 32`);
  }
  if (new Set(nodes).size !== nodes.length) throw new LabError("LAB_INVALID", "node ids must differ");
  const nodePort = options.nodePort ?? defaultNodePort;
  const relayPort = options.relayPort ?? defaultRelayPort;
  for (const [name, port] of [
    ["nodePort", nodePort],
    ["relayPort", relayPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new LabError("LAB_INVALID", `${name} must be a port (1-65535), not ${port}`);
  }
  if (nodePort === relayPort) throw new LabError("LAB_INVALID", "nodePort and relayPort must differ");
  return { nodes, nodePort, relayPort };
}
