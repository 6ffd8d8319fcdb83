/**
 * A key's replicas side by side (routes/replicas.ts) and what
 * `/debug/keys` gained (its preference list, `?history=false`, each
 * value's text): on a live 3-node cluster a causal key written blind twice
 * shows both siblings on every replica, an LWW key its stamp; replicas that
 * do not answer are entries with a code.
 */
import type { KeyDebugView, KeyReplicasView, RecordView } from "@skew/client/api";
import { recordTextBytesMax } from "@skew/client/api";
import { Compile } from "typebox/compile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyReplicasSchema } from "../../src/routes/schemas.js";
import { eventually, expectError, put } from "../http/support.js";
import { type LocalCluster, startLocalCluster } from "../support/local.js";
import { closedUrl, type FakeMember, type LoneNode, neverAnswers, startFakeMember, startLoneNode } from "./support.js";

const replicasSchema = Compile(KeyReplicasSchema);

function replicasUrl(base: string, bucket: string, key: string): string {
  return `${base}/debug/keys/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}/replicas`;
}

async function replicas(base: string, bucket: string, key: string): Promise<KeyReplicasView> {
  const response = await fetch(replicasUrl(base, bucket, key));
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const body = JSON.parse(text) as KeyReplicasView;
  expect(replicasSchema.Check(body), JSON.stringify([...replicasSchema.Errors(body)])).toBe(true);
  return body;
}

function siblingTexts(record: RecordView | null): string[] | undefined {
  return record?.kind === "causal" ? record.siblings.map((s) => s.text ?? "").sort() : undefined;
}

describe("on a live 3-node cluster", () => {
  let cluster: LocalCluster;
  let n1: string;
  let n2: string;

  beforeAll(async () => {
    cluster = await startLocalCluster(3);
    [n1, n2] = cluster.urls as [string, string];
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("a causal key written blind twice: every replica of its preference list shows both siblings, dots and text", async () => {
    const key = "cart/é 1";
    expect((await put(n1, "causal", key, "apples", { "content-type": "text/plain" })).status).toBe(200);
    expect((await put(n2, "causal", key, "bread", { "content-type": "text/plain" })).status).toBe(200);
    // w = 2: the third replica may hear of the second write a moment later.
    const view = await eventually(async () => {
      const v = await replicas(n1, "causal", key);
      return v.replicas.every((r) => siblingTexts(r.record)?.length === 2) ? v : undefined;
    }, 30_000);
    expect(view, "every replica holds both siblings").toBeDefined();
    const body = view as KeyReplicasView;
    expect(body).toMatchObject({ node: "n1", bucket: "causal", key, mode: "causal" });
    expect(body.preference).toHaveLength(3);
    expect(body.replicas.map((r) => r.node)).toEqual(body.preference);
    for (const replica of body.replicas) {
      expect(replica.error).toBeNull();
      expect(replica.url).toBe(cluster.urls[Number(replica.node.slice(1)) - 1]);
      expect(siblingTexts(replica.record)).toEqual(["apples", "bread"]);
      const record = replica.record;
      if (record?.kind !== "causal") throw new Error("a causal record");
      for (const s of record.siblings) {
        expect(s.dot).toMatch(/^n[123](~\d+)?:\d+$/);
        expect(s).toMatchObject({ tombstone: false, contentType: "text/plain", bytes: s.text?.length });
      }
      expect(Object.values(record.versionVector).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    }
    // /debug/keys names the same preference list, from any node.
    const debug = (await (await fetch(`${n2}/debug/keys/causal/${encodeURIComponent(key)}`)).json()) as KeyDebugView;
    expect(debug.preference).toEqual(body.preference);
    expect(siblingTexts(debug.local)).toEqual(["apples", "bread"]);
    expect(debug.replicas.length).toBeGreaterThan(0);
  });

  it("an LWW key shows its stamp on each replica; text only for UTF-8 of at most 1 KiB", async () => {
    const cases: { key: string; value: Uint8Array | string; text: string | undefined }[] = [
      { key: "text", value: "héllo", text: "héllo" },
      { key: "binary", value: Uint8Array.from([0xff, 0xfe, 0x00, 0x80]), text: undefined },
      { key: "long", value: "x".repeat(recordTextBytesMax + 1), text: undefined },
      { key: "exactly-1k", value: "y".repeat(recordTextBytesMax), text: "y".repeat(recordTextBytesMax) },
    ];
    for (const { key, value, text } of cases) {
      expect((await put(n2, "lww-hlc", key, value)).status).toBe(200);
      const view = await eventually(async () => {
        const v = await replicas(n1, "lww-hlc", key);
        return v.replicas.every((r) => r.record !== null) ? v : undefined;
      }, 30_000);
      for (const replica of (view as KeyReplicasView).replicas) {
        const record = replica.record;
        if (record?.kind !== "lww") throw new Error(`an LWW record on ${replica.node}`);
        expect(record.stamp.node).toBe("n2");
        expect(record.stamp.fence).toBe(0);
        expect(record.tombstone).toBe(false);
        expect(record.bytes).toBe(typeof value === "string" ? Buffer.byteLength(value) : value.length);
        expect(record.text).toBe(text);
        expect("text" in record).toBe(text !== undefined);
      }
    }
  });

  it("a key nobody holds: every replica answers, record null", async () => {
    const body = await replicas(n1, "lww-wall", "never-written");
    expect(body.replicas.map((r) => [r.record, r.error])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
  });

  it("refuses an unknown bucket, a key too large or unencodable, as the key routes do; /debug/keys?history=false too", async () => {
    await expectError(await fetch(replicasUrl(n1, "no-such-bucket", "k")), 404, "BUCKET_NOT_FOUND");
    await expectError(await fetch(replicasUrl(n1, "causal", "k".repeat(1025))), 413, "KEY_TOO_LARGE");
    await expectError(await fetch(`${n1}/debug/keys/causal/%ED%A0%80/replicas`), 400, "MALFORMED_REQUEST");
    await expectError(await fetch(`${n1}/debug/keys/no-such-bucket/k?history=false`), 404, "BUCKET_NOT_FOUND");
    await expectError(await fetch(`${n1}/debug/keys/causal/k?history=maybe`), 400, "INVALID_REQUEST");
    const local = (await (await fetch(`${n1}/debug/keys/causal/never?history=false`)).json()) as KeyDebugView;
    expect(local).toMatchObject({ node: "n1", bucket: "causal", key: "never", local: null, replicas: [] });
    expect(local.preference).toHaveLength(3);
  });
});

describe("replicas that do not answer", () => {
  let node: LoneNode;
  let silent: FakeMember;

  beforeAll(async () => {
    silent = await startFakeMember(neverAnswers);
    node = await startLoneNode({ n2: await closedUrl(), n3: silent.url });
  });

  afterAll(async () => {
    await node?.close();
    await silent?.close();
  });

  it("each is an entry with its code; this node's own record is read here", async () => {
    const body = await replicas(node.url, "causal", "k");
    const byNode = Object.fromEntries(body.replicas.map((r) => [r.node, r]));
    expect(byNode.n1?.error).toBeNull();
    expect(byNode.n2?.error?.code).toBe("UNREACHABLE");
    expect(byNode.n3?.error?.code).toBe("TIMEOUT");
    expect(byNode.n2?.record).toBeNull();
    expect(silent.requests[0]?.url).toBe("/debug/keys/causal/k?history=false");
  });
});
