import { describe, expect, it } from "vitest";
import { parseThroughputArgs, throughputCommand, throughputUsage } from "../../src/throughput/command.js";
import { ThroughputError } from "../../src/throughput/errors.js";
import type { ThroughputOptions } from "../../src/throughput/run.js";
import { loadResult, resultsOf } from "./fakes.js";

describe("parseThroughputArgs", () => {
  it("reads every option, spelled with a space or with =", () => {
    expect(parseThroughputArgs([])).toEqual({ json: false, help: false, options: {} });
    expect(
      parseThroughputArgs([
        "--quick",
        "--json",
        "--connections",
        "5,20,80",
        "--value-bytes=256",
        "--bucket",
        "lww-hlc",
        "--no-etcd-install",
        "--etcd=/opt/etcd/etcd",
      ]),
    ).toEqual({
      json: true,
      help: false,
      options: {
        quick: true,
        connections: [5, 20, 80],
        valueBytes: 256,
        bucket: "lww-hlc",
        installEtcd: false,
        etcdBinary: "/opt/etcd/etcd",
      },
    });
    expect(parseThroughputArgs(["-h"]).help).toBe(true);
  });

  it("refuses what it does not know or cannot use, with THROUGHPUT_OPTION_INVALID and what would be right", () => {
    const cases: [string[], RegExp][] = [
      [["--jsn"], /unknown argument "--jsn"/],
      [["--connections"], /needs a value/],
      [["--connections", "10;50"], /a list such as 10,50/],
      [["--connections", "0"], /from 1 to/],
      [["--connections", "10,10"], /distinct/],
      [["--value-bytes", "-1"], /number of bytes/],
      [["--value-bytes", "0"], /from 1 to/],
      [["--bucket", "fast"], /one of lww-wall, lww-lamport, lww-hlc, lww-truetime, causal/],
      [["--quick=yes"], /takes no value/],
      [["--etcd="], /needs a value/],
    ];
    for (const [argv, message] of cases) {
      let caught: unknown;
      try {
        parseThroughputArgs(argv);
      } catch (error) {
        caught = error;
      }
      expect(caught, argv.join(" ")).toBeInstanceOf(ThroughputError);
      expect((caught as ThroughputError).code).toBe("THROUGHPUT_OPTION_INVALID");
      expect((caught as ThroughputError).message).toMatch(message);
    }
  });
});

describe("throughputCommand", () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
  };
  const results = resultsOf([{ connections: 10, skew: loadResult(900, 30), etcd: loadResult(1000, 20) }]);

  it("says how long it will take before it starts, reports progress on stderr, prints the table on stdout", async () => {
    const t = io();
    let given: ThroughputOptions | undefined;
    const code = await throughputCommand(["--quick"], t.io, undefined, async (options) => {
      given = options;
      options.onProgress?.({ kind: "step", step: 1, steps: 9, label: "looking for etcd", expectedMs: 0 });
      options.onProgress?.({ kind: "note", message: "etcd is not installed: installing ..." });
      return results;
    });
    expect(code).toBe(0);
    expect(given?.quick).toBe(true);
    expect(t.err[0]).toMatch(/^Skew against etcd: this takes about \d+ s/);
    expect(t.err.join("")).toContain("[1/9] looking for etcd ...");
    expect(t.err.join("")).toContain("  etcd is not installed: installing ...");
    expect(t.out.join("")).toContain("[put, 10 connections]");
  });

  it("--json prints one record per row and nothing else on stdout", async () => {
    const t = io();
    expect(await throughputCommand(["--json"], t.io, undefined, async () => results)).toBe(0);
    const lines = t.out.join("").trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => (JSON.parse(l) as { role: string }).role).sort()).toEqual(["peer", "subject"]);
  });

  it("usage errors exit 2 with the usage, --help exits 0, a failed run exits 1 with its code", async () => {
    const bad = io();
    expect(await throughputCommand(["--frobnicate"], bad.io)).toBe(2);
    expect(bad.err.join("")).toContain(throughputUsage);
    const help = io();
    expect(await throughputCommand(["--help"], help.io)).toBe(0);
    expect(help.out.join("")).toBe(throughputUsage);
    const failed = io();
    const code = await throughputCommand([], failed.io, undefined, async () => {
      throw new ThroughputError("THROUGHPUT_SKEW_START_FAILED", "n2 exited (code 1) while starting");
    });
    expect(code).toBe(1);
    expect(failed.err.join("")).toContain("THROUGHPUT_SKEW_START_FAILED: n2 exited");
  });
});
