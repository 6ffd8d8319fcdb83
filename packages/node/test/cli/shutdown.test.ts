/**
 * Graceful shutdown, in-process (what `skew node` does on SIGTERM:
 * `app.close()`): a write whose coordination is still waiting when the
 * close begins gets its HTTP answer; requests that arrive during the close
 * are refused cleanly (connection refused, or 503 SHUTTING_DOWN, definite);
 * and the data directory is released (level's lock) with every
 * acknowledged write in it, so the node can be started on it again.
 */
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, type SkewApp } from "../../src/index.js";
import { type LocalCluster, startLocalCluster } from "../support/local.js";
import { eventually } from "./support.js";

/**
 * The coordinator's quorum wait for the slow write (`?timeout=`): long enough for the close to begin inside it and
 * for the requests made during the close to be answered before it ends, on a loaded machine too (the close waits
 * for it, so the test takes this long).
 */
const slowWriteTimeoutMs = 5_000;

/**
 * Heartbeats every 1.5 s: n1 suspects its closed peers about 8 s after their last heartbeat, long after the slow
 * write was sent. At the tests' usual 100 ms it was about 0.5 s, and a loaded machine slow to close n2 and n3
 * made n1 refuse the slow write at once (UNAVAILABLE, nothing sent) instead of waiting for their answers.
 */
const heartbeatIntervalMs = 1_500;

interface Answer {
  readonly status: number;
  readonly body: { code?: string; definite?: boolean; got?: number; need?: number; context?: string };
  readonly atMs: number;
}

/**
 * One request on its own connection (no agent: no kept-alive socket from
 * an earlier request), settled with the answer or the socket error's code.
 */
function send(url: string, method: string, body?: string): Promise<Answer | { readonly error: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method, agent: false, headers: body === undefined ? {} : { "content-type": "text/plain" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => {
          let parsed: Answer["body"] = {};
          try {
            parsed = JSON.parse(text) as Answer["body"];
          } catch {
            // not JSON: the assertions on the body say so
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, atMs: performance.now() });
        });
        res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(body);
  });
}

/**
 * A kept-alive connection driven by hand, so that a second request can be
 * written on it while the first is still waiting (HTTP/1.1 pipelining):
 * the server reads it during its close, on a connection the close leaves
 * open because it is busy. Answers are collected in order.
 */
class RawConnection {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  readonly #answers: Answer[] = [];
  readonly #waiters: (() => void)[] = [];
  #error: string | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      this.#error = error.code ?? error.message;
      this.#wake();
    });
    socket.on("close", () => this.#wake());
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1" }, () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  write(method: string, path: string, body = ""): void {
    const head = [`${method} ${path} HTTP/1.1`, "host: 127.0.0.1", "connection: keep-alive"];
    if (body !== "") head.push("content-type: text/plain", `content-length: ${Buffer.byteLength(body)}`);
    this.#socket.write(`${head.join("\r\n")}\r\n\r\n${body}`);
  }

  /** The `index`-th answer on this connection (from 0), or the reason there is none. */
  async answer(index: number): Promise<Answer | { readonly error: string }> {
    while (this.#answers.length <= index) {
      if (this.#error !== undefined || this.#socket.destroyed) {
        return { error: this.#error ?? "the connection closed without an answer" };
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.#answers[index] as Answer;
  }

  close(): void {
    this.#socket.destroy();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #parse(): void {
    for (;;) {
      const end = this.#buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.#buffer.subarray(0, end).toString("latin1").split("\r\n");
      const length = Number(/^content-length: *(\d+)$/im.exec(head.join("\n"))?.[1] ?? "0");
      if (this.#buffer.length < end + 4 + length) return;
      const body = this.#buffer.subarray(end + 4, end + 4 + length).toString("utf8");
      this.#buffer = this.#buffer.subarray(end + 4 + length);
      let parsed: Answer["body"] = {};
      try {
        parsed = JSON.parse(body) as Answer["body"];
      } catch {
        // not JSON: the assertions on the body say so
      }
      this.#answers.push({ status: Number(head[0]?.split(" ")[1]), body: parsed, atMs: performance.now() });
      this.#wake();
    }
  }
}

describe("closing a node with a write in flight", () => {
  let cluster: LocalCluster;
  let reopened: SkewApp | undefined;

  beforeAll(async () => {
    cluster = await startLocalCluster(3, { heartbeatIntervalMs });
  });

  afterAll(async () => {
    await reopened?.close();
    await cluster?.close(); // closing an app twice is harmless
  });

  it("answers the in-flight write, refuses new requests cleanly, and leaves its data directory usable", async () => {
    const [n1, n2, n3] = cluster.apps as [SkewApp, SkewApp, SkewApp];
    const url = cluster.urls[0] as string;
    const key = (name: string) => `${url}/buckets/causal/keys/${name}`;

    // Setup: a write every replica takes. Right after start, on a loaded machine, the nodes may not have heard
    // each other's heartbeats yet and refuse w = 3 (503, definite): asked again until they have.
    let before = await send(`${key("before")}?w=3`, "PUT", "written before");
    for (let tries = 0; tries < 100 && "status" in before && before.status === 503; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      before = await send(`${key("before")}?w=3`, "PUT", "written before");
    }
    expect("status" in before && before.status).toBe(200);

    // With its peers gone, n1 can store the write itself but waits for a second replica until the timeout.
    await Promise.all([n2.close(), n3.close()]);
    const connection = await RawConnection.open(Number(new URL(url).port));
    connection.write("PUT", `/buckets/causal/keys/in-flight?timeout=${slowWriteTimeoutMs}`, "written while closing");
    // In flight from its arrival until the write's timeout: polled with a bound for a loaded machine.
    expect(await eventually(() => n1.skew.driver.inFlight >= 1, 10_000)).toBe(true);

    const closeStartedMs = performance.now();
    const closing = n1.close();
    // The close has begun (its preClose hook ran) before the requests below: a fixed 50 ms was not always enough.
    expect(await eventually(() => n1.skew.closing, 10_000)).toBe(true);
    // New connections, and a second request on the busy kept-alive connection, which the close leaves open.
    const duringClose = await Promise.all([send(key("during-close"), "PUT", "too late"), send(key("before"), "GET")]);
    connection.write("PUT", "/buckets/causal/keys/pipelined", "too late as well");
    const stillClosing = n1.skew.driver.inFlight >= 1;

    const answer = await connection.answer(0);
    const pipelined = await connection.answer(1);
    connection.close();
    await closing;
    const closeMs = performance.now() - closeStartedMs;
    console.log(
      `close took ${Math.round(closeMs)} ms; the in-flight write: ${JSON.stringify(answer)}; during the close: ${JSON.stringify([...duringClose, pipelined])}`,
    );

    // The in-flight write got an HTTP answer, after the close began: success, or the coordinator's own verdict.
    if (!("status" in answer)) throw new Error(`the in-flight write lost its connection: ${answer.error}`);
    expect(answer.atMs).toBeGreaterThan(closeStartedMs);
    if (answer.status !== 200) {
      expect(answer.status).toBe(503);
      expect(["TIMEOUT", "UNAVAILABLE"]).toContain(answer.body.code);
      expect(typeof answer.body.definite).toBe("boolean");
    }
    // The requests made during the close were refused while the write was still in flight, and cleanly.
    expect(stillClosing).toBe(true);
    for (const refused of [...duringClose, pipelined]) {
      if ("error" in refused) expect(refused.error).toBe("ECONNREFUSED");
      else expect([refused.status, refused.body.code, refused.body.definite]).toEqual([503, "SHUTTING_DOWN", true]);
    }

    // The lock is released: the same directory opens again, with the acknowledged write and, if n1 stored the
    // in-flight one (it answered 200, or its failure counts n1's own copy), that one too.
    reopened = await buildServer(cluster.configs[0] as (typeof cluster.configs)[number]);
    const local = (name: string) => reopened?.skew.driver.node.localRecord("causal", name);
    expect(local("before")).toBeDefined();
    expect(local("during-close")).toBeUndefined();
    expect(local("pipelined")).toBeUndefined();
    if (answer.status === 200 || (answer.body.got ?? 0) >= 1) expect(local("in-flight")).toBeDefined();
    const read = await reopened.inject({ method: "GET", url: "/buckets/causal/keys/before?r=1" });
    expect(read.statusCode).toBe(200);
    const siblings = (read.json() as { siblings: { value: string }[] }).siblings;
    expect(siblings.map((s) => Buffer.from(s.value, "base64").toString())).toEqual(["written before"]);
  });
});
