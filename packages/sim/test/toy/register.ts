/**
 * The three-node toy protocol the simulator's own tests drive: a register
 * replicated by gossip with last-write-wins on the writer's wall clock
 * (Cassandra's default, and the chapter's example in 3.3 of how clock skew
 * silently loses writes). Each node stamps local writes with `env.wall.now()`,
 * persists and syncs its state before gossiping it, and every `gossipMs`
 * sends its state to every peer; a node adopts any state with a higher
 * (stamp, writer) pair.
 */
import type { Environment } from "@skew/env";
import type { NodeContext, SimNode, Store } from "@skew/sim";

export interface RegisterState {
  readonly value: string;
  readonly stampMs: number;
  readonly writer: string;
}

export type RegisterMessage = { readonly type: "state"; readonly state: RegisterState };

export const gossipMs = 100;

const empty: RegisterState = { value: "", stampMs: 0, writer: "" }; // wall clocks start in 2024

/** True when `a` wins over `b` under last-write-wins. */
export function newer(a: RegisterState, b: RegisterState): boolean {
  return a.stampMs > b.stampMs || (a.stampMs === b.stampMs && a.writer > b.writer);
}

export class Register implements SimNode<RegisterMessage> {
  readonly id: string;
  readonly #env: Environment;
  readonly #storage: Store;
  readonly #peers: readonly string[];
  readonly #send: (to: string, message: RegisterMessage) => void;
  state: RegisterState;
  /** Messages this process has handled (for tests). */
  handled = 0;

  readonly #syncs: boolean;

  /** `syncs: false` plants a bug for tests to find: state is gossiped before it is durable. */
  constructor(context: NodeContext<RegisterMessage>, options: { syncs?: boolean } = {}) {
    this.#syncs = options.syncs ?? true;
    this.id = context.id;
    this.#env = context.env;
    this.#storage = context.storage;
    this.#peers = context.peers;
    this.#send = context.send;
    this.state = load(context.storage);
  }

  onStart(): void {
    this.#env.timers.schedule(gossipMs, () => this.#gossip());
  }

  /** A client writes `value` here. */
  write(value: string): RegisterState {
    const state = { value, stampMs: this.#env.wall.now(), writer: this.id };
    if (newer(state, this.state)) this.#adopt(state);
    return state;
  }

  onMessage(_from: string, message: RegisterMessage): void {
    this.handled++;
    if (newer(message.state, this.state)) this.#adopt(message.state);
  }

  #adopt(state: RegisterState): void {
    this.state = state;
    this.#storage.put("register", new TextEncoder().encode(JSON.stringify(state)));
    if (this.#syncs) this.#storage.sync();
  }

  #gossip(): void {
    if (this.state !== empty) for (const peer of this.#peers) this.#send(peer, { type: "state", state: this.state });
    this.#env.timers.schedule(gossipMs, () => this.#gossip());
  }
}

/** Reads the durable state; a torn or unreadable record counts as empty (the toy's checksum). */
function load(storage: Store): RegisterState {
  const bytes = storage.get("register");
  if (bytes === undefined) return empty;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as RegisterState;
    return typeof parsed.stampMs === "number" && typeof parsed.value === "string" ? parsed : empty;
  } catch {
    return empty;
  }
}
