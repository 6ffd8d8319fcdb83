/**
 * `@skew/client/api` (src/api.ts): what a browser loads. Its import graph
 * is walked from the source, every `import` and `export ... from` (type-only
 * ones too, into workspace packages): no `node:` module, no Node built-in,
 * no `undici`, anywhere; what runs (type-only imports erased) is four files
 * of this package, using no Node global. And its decoders hold the new
 * replies to their shapes, as wire.ts does the key routes'.
 */
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import {
  type ClusterNodesView,
  type ClusterView,
  decodeClock,
  decodeCluster,
  decodeClusterNodes,
  decodeErrorBody,
  decodeKeyDebug,
  decodeKeyReplicas,
  decodeLostUpdateRun,
  decodeRead,
  decodeRecordView,
  InvalidReply,
  type KeyReplicasView,
  type LostUpdateRun,
} from "@skew/client/api";
import { describe, expect, it } from "vitest";
import { InvalidReply as WireInvalidReply } from "../src/wire.js";

const packagesDir = path.resolve(import.meta.dirname, "../..");
const clientSrc = path.join(packagesDir, "client", "src");

interface Edge {
  readonly from: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/** Every module a file names: static imports and re-exports (with whether they are type-only), and dynamic imports. */
function importsOf(file: string): Edge[] {
  const code = readFileSync(file, "utf8");
  const edges: Edge[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']/gms;
  for (const match of code.matchAll(statement)) {
    edges.push({ from: file, specifier: match[4] as string, typeOnly: match[2] !== undefined });
  }
  for (const match of code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) {
    edges.push({ from: file, specifier: match[1] as string, typeOnly: false });
  }
  for (const match of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    edges.push({ from: file, specifier: match[1] as string, typeOnly: false });
  }
  return edges;
}

/** A workspace package's source for a specifier (`@skew/env`, `@skew/client/api`), by its `@skew/source` export. */
function workspaceSource(specifier: string): string | undefined {
  const match = /^@skew\/([^/]+)(\/.*)?$/.exec(specifier);
  if (match === null) return undefined;
  const dir = path.join(packagesDir, match[1] as string);
  const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    exports: Record<string, { "@skew/source"?: string }>;
  };
  const entry = manifest.exports[`.${match[2] ?? ""}`]?.["@skew/source"];
  if (entry === undefined) throw new Error(`${specifier} has no @skew/source export`);
  return path.join(dir, entry);
}

function resolve(edge: Edge): string | undefined {
  if (edge.specifier.startsWith(".")) {
    return path.resolve(path.dirname(edge.from), edge.specifier.replace(/\.js$/, ".ts"));
  }
  return workspaceSource(edge.specifier);
}

/** The files reached from `entry`, and every specifier named on the way (`runtimeOnly`: type-only imports erased). */
function walk(entry: string, runtimeOnly: boolean): { files: Set<string>; specifiers: Edge[] } {
  const files = new Set<string>();
  const specifiers: Edge[] = [];
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const edge of importsOf(file)) {
      if (runtimeOnly && edge.typeOnly) continue;
      specifiers.push(edge);
      const next = resolve(edge);
      if (next !== undefined) pending.push(next);
    }
  }
  return { files, specifiers };
}

const nodeOnly = (specifier: string): boolean =>
  specifier.startsWith("node:") ||
  builtinModules.includes(specifier.split("/")[0] as string) ||
  specifier === "undici" ||
  specifier.startsWith("undici/");

describe("src/api.ts's import graph", () => {
  const entry = path.join(clientSrc, "api.ts");

  it("names no node: module, Node built-in or undici, type-only imports and workspace packages included", () => {
    const { files, specifiers } = walk(entry, false);
    // It did follow type-only imports into other packages (wire.ts's error type reaches @skew/env).
    expect([...files].some((f) => f.startsWith(path.join(packagesDir, "env", "src")))).toBe(true);
    const offending = specifiers.filter((e) => nodeOnly(e.specifier));
    expect(offending.map((e) => `${path.relative(packagesDir, e.from)} imports ${e.specifier}`)).toEqual([]);
  });

  it("at run time is five files of this package, importing nothing else and using no Node global", () => {
    const { files, specifiers } = walk(entry, true);
    expect([...files].map((f) => path.relative(clientSrc, f)).sort()).toEqual([
      "api.ts",
      "decode.ts",
      "shapes.ts",
      "wire-ops.ts",
      "wire.ts",
    ]);
    expect(specifiers.filter((e) => !e.specifier.startsWith("."))).toEqual([]);
    for (const file of files) {
      const code = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      expect(code, file).not.toMatch(/\b(Buffer|process|require|__dirname|__filename|setImmediate|global)\b/);
    }
  });

  it("the walk sees what it must: the client's entry reaches undici", () => {
    const { specifiers } = walk(path.join(clientSrc, "index.ts"), false);
    expect(specifiers.some((e) => e.specifier === "undici")).toBe(true);
    expect(specifiers.some((e) => e.specifier.startsWith("node:"))).toBe(true);
  });

  it("package.json exports ./api with the source, the types and the build", () => {
    const manifest = JSON.parse(readFileSync(path.join(packagesDir, "client", "package.json"), "utf8")) as {
      exports: Record<string, unknown>;
    };
    expect(manifest.exports["./api"]).toEqual({
      "@skew/source": "./src/api.ts",
      types: "./dist/api.d.ts",
      default: "./dist/api.js",
    });
  });

  it("one InvalidReply class: the client's attempts recognise what api's decoders throw", () => {
    expect(InvalidReply).toBe(WireInvalidReply);
  });
});

const clock = { wallMs: 10, systemMs: 10, offsetMs: 0, driftPpm: 0, hlc: 5, truetime: { earliest: 9, latest: 11 } };
const view: ClusterView = {
  node: "n1",
  cluster: "skew",
  buckets: { causal: "causal" },
  clock,
  members: [
    { id: "n1", url: "http://a", self: true },
    { id: "n2", url: "http://b", self: false, phi: null, suspected: false, lastHeartbeatAgoMs: null, clockOffsetMs: 3 },
  ],
  hints: 2,
  repairs: { running: 1, completed: 7, recovering: 3 },
  storage: {},
  transport: {},
};

describe("the decoders", () => {
  it("decodeCluster takes repairs as two counts, and refuses a view without them", () => {
    expect(decodeCluster(200, view)).toEqual(view);
    const { repairs: _, ...without } = view;
    expect(() => decodeCluster(200, without)).toThrow(/repairs is not an object/);
    expect(() => decodeCluster(200, { ...view, repairs: { running: 0, completed: -1, recovering: 0 } })).toThrow(
      /repairs\.completed is not a count/,
    );
  });

  it("decodeClusterNodes: each entry a view or an error, never both, never neither; a bad view named where it is", () => {
    const body: ClusterNodesView = {
      node: "n1",
      nodes: [
        { id: "n1", url: "http://a", view, error: null, tookMs: 0 },
        { id: "n2", url: "http://b", view: null, error: { code: "TIMEOUT", message: "slow" }, tookMs: 1000 },
      ],
    };
    expect(decodeClusterNodes(200, body)).toEqual(body);
    expect(decodeClusterNodes(502, body)).toBeUndefined();
    const entry = body.nodes[1] as ClusterNodesView["nodes"][number];
    expect(() => decodeClusterNodes(200, { ...body, nodes: [{ ...entry, error: null }] })).toThrow(InvalidReply);
    expect(() => decodeClusterNodes(200, { ...body, nodes: [{ ...entry, view }] })).toThrow(InvalidReply);
    expect(() =>
      decodeClusterNodes(200, { ...body, nodes: [{ ...entry, error: null, view: { ...view, hints: "2" } }] }),
    ).toThrow(/nodes\[0\]\.view: hints is not a count/);
    expect(() => decodeClusterNodes(200, { node: "n1" })).toThrow(/nodes is not an array/);
  });

  it("decodeRecordView: lww and causal records with optional text; anything else refused", () => {
    const lww = {
      kind: "lww",
      stamp: { time: 5, node: "n2", fence: 0 },
      tombstone: false,
      contentType: "t",
      bytes: 2,
      text: "hi",
    };
    expect(decodeRecordView(lww)).toEqual(lww);
    const tombstone = { kind: "lww", stamp: { time: 5, node: "n2", fence: 1 }, tombstone: true, bytes: 0 };
    expect(decodeRecordView(tombstone)).toEqual(tombstone);
    expect("text" in (decodeRecordView(tombstone) ?? {})).toBe(false);
    const causal = {
      kind: "causal",
      fence: 0,
      versionVector: { n1: 2, n2: 1 },
      siblings: [
        { dot: "n1:2", at: 7, fence: 0, tombstone: false, contentType: "t", bytes: 1, text: "a" },
        { dot: "n2:1", at: 6, fence: 0, tombstone: false, contentType: "b", bytes: 3 },
      ],
    };
    expect(decodeRecordView(causal)).toEqual(causal);
    expect(decodeRecordView(null)).toBeNull();
    expect(() => decodeRecordView({ ...causal, kind: "mvcc" })).toThrow(/kind/);
    expect(() => decodeRecordView({ ...causal, versionVector: { n1: -1 } })).toThrow(/versionVector\.n1/);
    expect(() => decodeRecordView({ ...lww, text: 5 })).toThrow(/record\.text is not a string/);
    expect(() => decodeRecordView({ ...lww, stamp: { time: 1, node: "n1" } })).toThrow(/stamp\.fence/);
  });

  it("decodeKeyReplicas and decodeKeyDebug", () => {
    const record = { kind: "lww", stamp: { time: 5, node: "n2", fence: 0 }, tombstone: false, bytes: 0 };
    const body: KeyReplicasView = {
      node: "n1",
      bucket: "b",
      key: "k",
      mode: "lww-wall",
      preference: ["n2", "n1"],
      replicas: [
        { node: "n2", url: "http://b", record: null, error: { code: "UNREACHABLE", message: "down" } },
        { node: "n1", url: "http://a", record: record as never, error: null },
      ],
    };
    expect(decodeKeyReplicas(200, body)).toEqual(body);
    expect(decodeKeyReplicas(404, body)).toBeUndefined();
    const both = { ...body, replicas: [{ ...body.replicas[0], record }] };
    expect(() => decodeKeyReplicas(200, both)).toThrow(/a record and an error/);
    expect(() => decodeKeyReplicas(200, { ...body, preference: ["n1", 2] })).toThrow(/preference\[1\]/);

    const debug = {
      node: "n1",
      bucket: "b",
      key: "k",
      mode: "causal",
      preference: ["n1"],
      local: null,
      replicas: [{ node: "n1", state: "answered", horizon: null, versions: [] }],
    };
    expect(decodeKeyDebug(200, debug)).toEqual(debug);
    expect(() => decodeKeyDebug(200, { ...debug, replicas: [{ node: "n1", state: "gone" }] })).toThrow(
      /replicas\[0\]\.state/,
    );
  });

  it("decodeLostUpdateRun, decodeClock, decodeErrorBody", () => {
    const run: LostUpdateRun = {
      bucket: "lww-wall",
      mode: "lww-wall",
      key: "k",
      skewed: "n3",
      skewMs: -400,
      offsets: { n1: 0, n2: null, n3: -401 },
      writes: [
        {
          index: 0,
          item: "0@n3",
          via: "n3",
          startedAtMs: 1000,
          ackedAtMs: 1010,
          stamp: 99,
          context: "l.0.99",
          kept: false,
          beatenBy: null,
          reason: "acknowledged, but not in the final read",
          error: null,
        },
        {
          index: 1,
          item: "1@n1",
          via: "n1",
          startedAtMs: 1010,
          ackedAtMs: 1020,
          stamp: null,
          context: "",
          kept: false,
          beatenBy: null,
          reason: null,
          error: { code: "TIMEOUT", message: "no quorum" },
        },
      ],
      acknowledged: 1,
      kept: 0,
      lost: 1,
      finalReadR: 3,
      tookMs: 1100,
    };
    expect(decodeLostUpdateRun(200, run)).toEqual(run);
    expect(decodeLostUpdateRun(409, run)).toBeUndefined();
    expect(() => decodeLostUpdateRun(200, { ...run, offsets: { n1: "0" } })).toThrow(/offsets\.n1/);
    expect(() => decodeLostUpdateRun(200, { ...run, writes: [{ ...run.writes[0], beatenBy: -1 }] })).toThrow(
      /writes\[0\]\.beatenBy/,
    );
    expect(decodeClock(200, clock)).toEqual(clock);
    expect(() => decodeClock(200, { ...clock, hlc: "5" })).toThrow(/the clock\.hlc/);
    expect(decodeErrorBody({ code: "DEMO_RUNNING", message: "wait", definite: true })).toEqual({
      code: "DEMO_RUNNING",
      message: "wait",
    });
    expect(() => decodeErrorBody({ code: 409 })).toThrow(InvalidReply);
  });

  it("base64 is decoded without Buffer, as strictly as before", () => {
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const encoded = btoa(String.fromCharCode(...every));
    const read = decodeRead(200, { siblings: [{ contentType: "x", value: encoded }], context: "c" });
    expect(read?.siblings[0]?.value).toEqual(every);
    expect(() => decodeRead(200, { siblings: [{ contentType: "x", value: "aGk" }], context: "c" })).toThrow(
      /not base64/,
    );
  });
});
