import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ThroughputError } from "../../src/throughput/errors.js";
import { EtcdCluster, ensureEtcd, etcdPackage, planEtcdCluster, type SystemDeps } from "../../src/throughput/etcd.js";
import { FakeProcess, fakeLauncher } from "./fakes.js";

const plan = (dataDir = "/tmp/etcd-test") =>
  planEtcdCluster({ dataDir, clientPorts: [2001, 2002, 2003], peerPorts: [3001, 3002, 3003], token: "t-1" });

const flag = (args: readonly string[], name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe("planEtcdCluster: the members' command lines", () => {
  it("gives each member its own loopback ports and data directory, and every member the whole cluster", () => {
    const members = plan();
    expect(members.map((m) => m.name)).toEqual(["m1", "m2", "m3"]);
    expect(members.map((m) => m.clientUrl)).toEqual([
      "http://127.0.0.1:2001",
      "http://127.0.0.1:2002",
      "http://127.0.0.1:2003",
    ]);
    const initial = "m1=http://127.0.0.1:3001,m2=http://127.0.0.1:3002,m3=http://127.0.0.1:3003";
    for (const [i, member] of members.entries()) {
      const args = member.args;
      expect(flag(args, "name")).toBe(member.name);
      expect(flag(args, "data-dir")).toBe(`/tmp/etcd-test/m${i + 1}`);
      expect(member.log).toBe(`/tmp/etcd-test/m${i + 1}.log`);
      expect(flag(args, "listen-client-urls")).toBe(member.clientUrl);
      expect(flag(args, "advertise-client-urls")).toBe(member.clientUrl);
      expect(flag(args, "listen-peer-urls")).toBe(`http://127.0.0.1:${3001 + i}`);
      expect(flag(args, "initial-advertise-peer-urls")).toBe(member.peerUrl);
      expect(flag(args, "initial-cluster")).toBe(initial);
      expect(flag(args, "initial-cluster-state")).toBe("new");
      expect(flag(args, "initial-cluster-token")).toBe("t-1");
      // The load generator speaks HTTP/JSON: the gateway must be on.
      expect(flag(args, "enable-grpc-gateway")).toBe("true");
      // Every flag is one --name=value argument (no value a shell or etcd could split).
      expect(args.every((a) => /^--[a-z-]+=\S+$/.test(a))).toBe(true);
    }
    // No member listens where another does.
    const urls = members.flatMap((m) => [m.clientUrl, m.peerUrl]);
    expect(new Set(urls).size).toBe(6);
  });

  it("refuses a plan that cannot make a cluster", () => {
    const base = { dataDir: "/d", token: "t" };
    expect(() => planEtcdCluster({ ...base, clientPorts: [1, 2], peerPorts: [3] })).toThrow(TypeError);
    expect(() => planEtcdCluster({ ...base, clientPorts: [1, 2], peerPorts: [2, 3] })).toThrow(/differ/);
    expect(() => planEtcdCluster({ ...base, clientPorts: [], peerPorts: [] })).toThrow(TypeError);
    expect(() => planEtcdCluster({ ...base, token: "a b", clientPorts: [1], peerPorts: [2] })).toThrow(/token/);
  });
});

/** A system where etcd is, or is not, on PATH; `run` answers apt-get and `etcd --version` as scripted. */
function fakeSystem(options: {
  etcd: boolean;
  aptGet?: boolean;
  root?: boolean;
  install?: "works" | "after-update" | "fails";
  version?: string;
}): SystemDeps & { calls: string[] } {
  let installed = options.etcd;
  let updated = false;
  const calls: string[] = [];
  return {
    calls,
    which: (name) =>
      name === "etcd" ? (installed ? "/usr/bin/etcd" : undefined) : options.aptGet ? "/usr/bin/apt-get" : undefined,
    isRoot: () => options.root ?? true,
    async run(command, args) {
      calls.push([command, ...args].join(" "));
      if (command === "apt-get" && args[0] === "update") {
        updated = true;
        return { code: 0, stdout: "", stderr: "" };
      }
      if (command === "apt-get") {
        const works = options.install === "works" || (options.install === "after-update" && updated);
        if (works) installed = true;
        return works
          ? { code: 0, stdout: "", stderr: "" }
          : { code: 100, stdout: "", stderr: `E: Unable to locate package ${etcdPackage}` };
      }
      return {
        code: 0,
        stdout: `etcd Version: ${options.version ?? "3.4.23"}\nGit SHA: Not provided\nGo Version: go1.19.8\n`,
        stderr: "",
      };
    },
  };
}

describe("ensureEtcd: installed, installable, or a reason", () => {
  it("finds etcd on PATH and reads its version, installing nothing", async () => {
    const system = fakeSystem({ etcd: true });
    expect(await ensureEtcd({}, system)).toEqual({ available: true, binary: "/usr/bin/etcd", version: "3.4.23" });
    expect(system.calls).toEqual(["/usr/bin/etcd --version"]);
  });

  it("installs Debian's etcd-server with apt-get when it is missing, and says so first", async () => {
    const system = fakeSystem({ etcd: false, aptGet: true, install: "works" });
    const said: string[] = [];
    const found = await ensureEtcd({ say: (text) => said.push(text) }, system);
    expect(found).toMatchObject({ available: true, version: "3.4.23" });
    expect(system.calls[0]).toBe(`apt-get install -y ${etcdPackage}`);
    expect(said[0]).toMatch(/not installed: installing Debian's etcd-server/);
  });

  it("updates the package lists and tries again when the first install fails", async () => {
    const system = fakeSystem({ etcd: false, aptGet: true, install: "after-update" });
    expect(await ensureEtcd({}, system)).toMatchObject({ available: true });
    expect(system.calls.slice(0, 3)).toEqual([
      `apt-get install -y ${etcdPackage}`,
      "apt-get update",
      `apt-get install -y ${etcdPackage}`,
    ]);
  });

  it("gives a reason, and throws nothing, when etcd cannot be had", async () => {
    const cases: [Parameters<typeof fakeSystem>[0], { install?: boolean }, RegExp][] = [
      [{ etcd: false, aptGet: true, install: "fails" }, {}, /apt-get install -y etcd-server failed: E: Unable/],
      [{ etcd: false, aptGet: true, root: false }, {}, /needs root: sudo apt-get install -y etcd-server/],
      [{ etcd: false, aptGet: false }, {}, /no apt-get/],
      [{ etcd: false, aptGet: true, install: "works" }, { install: false }, /installing was turned off/],
      [{ etcd: true, version: "3.3.25" }, {}, /3\.4 or later/],
    ];
    for (const [setup, options, reason] of cases) {
      const system = fakeSystem(setup);
      const found = await ensureEtcd(options, system);
      expect(found.available).toBe(false);
      expect(found.available ? "" : found.reason).toMatch(reason);
      // Turned off or not root: nothing was run to install it.
      if (options.install === false || setup.root === false) expect(system.calls).toEqual([]);
    }
  });
});

describe("EtcdCluster: started whole or not at all, and always torn down", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const members = () => {
    dir = mkdtempSync(join(tmpdir(), "skew-etcd-test-"));
    return planEtcdCluster({
      dataDir: dir,
      clientPorts: [2001, 2002, 2003],
      peerPorts: [3001, 3002, 3003],
      token: "t",
    });
  };

  it("spawns the binary once per member with the member's command line, and is ready when all are healthy", async () => {
    const plan = members();
    const { launch, processes } = fakeLauncher((_, command, args) => new FakeProcess(command, args));
    const probed: string[] = [];
    const cluster = await EtcdCluster.start({
      binary: "/usr/bin/etcd",
      members: plan,
      launch,
      probe: async (url) => {
        probed.push(url);
        return true;
      },
    });
    expect(processes.map((p) => p.command)).toEqual(["/usr/bin/etcd", "/usr/bin/etcd", "/usr/bin/etcd"]);
    expect(processes.map((p) => p.args)).toEqual(plan.map((m) => m.args));
    expect(new Set(probed)).toEqual(new Set(plan.map((m) => m.clientUrl)));
    expect(cluster.clientUrls).toEqual(plan.map((m) => m.clientUrl));
    await cluster.stop();
    expect(processes.every((p) => !p.running() && p.signals[0] === "SIGTERM")).toBe(true);
  });

  it("a member that exits while the others start stops them all, and the error quotes its log", async () => {
    const plan = members();
    writeFileSync(plan[1]?.log as string, "listen tcp 127.0.0.1:3002: bind: address already in use\n");
    const { launch, processes } = fakeLauncher((_, command, args) => new FakeProcess(command, args));
    let probes = 0;
    const error = await EtcdCluster.start({
      binary: "etcd",
      members: plan,
      launch,
      probeIntervalMs: 1,
      probe: async () => {
        if (++probes === 2) processes[1]?.die("code 1");
        return false;
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThroughputError);
    expect((error as ThroughputError).code).toBe("THROUGHPUT_ETCD_START_FAILED");
    expect((error as ThroughputError).message).toMatch(/m2 exited \(code 1\)/);
    expect((error as ThroughputError).message).toMatch(/address already in use/);
    expect(processes.every((p) => !p.running())).toBe(true);
    expect(processes[0]?.signals).toEqual(["SIGTERM"]);
    expect(processes[2]?.signals).toEqual(["SIGTERM"]);
  });

  it("members never healthy by the deadline: every one stopped, SIGKILL for those that ignore SIGTERM", async () => {
    const plan = members();
    const { launch, processes } = fakeLauncher((i, command, args) => new FakeProcess(command, args, i === 0));
    const error = await EtcdCluster.start({
      binary: "etcd",
      members: plan,
      launch,
      probe: async (url) => url === plan[2]?.clientUrl,
      startTimeoutMs: 0,
      probeIntervalMs: 1,
      stopGraceMs: 1,
    }).catch((e: unknown) => e);
    expect((error as ThroughputError).code).toBe("THROUGHPUT_ETCD_START_FAILED");
    expect((error as ThroughputError).message).toMatch(/m1, m2 not healthy/);
    expect(processes.every((p) => !p.running())).toBe(true);
    expect(processes[0]?.signals).toEqual(["SIGTERM", "SIGKILL"]);
    expect(processes[1]?.signals).toEqual(["SIGTERM"]);
  });

  it("a binary that cannot be spawned is a start failure too, after the members already spawned are stopped", async () => {
    const plan = members();
    const started: FakeProcess[] = [];
    const error = await EtcdCluster.start({
      binary: "etcd",
      members: plan,
      launch: (command, args) => {
        if (started.length === 2) throw new Error("spawn etcd EMFILE");
        const process = new FakeProcess(command, args);
        started.push(process);
        return process;
      },
      probe: async () => true,
    }).catch((e: unknown) => e);
    expect((error as ThroughputError).code).toBe("THROUGHPUT_ETCD_START_FAILED");
    expect((error as ThroughputError).message).toMatch(/EMFILE/);
    expect(started.every((p) => !p.running())).toBe(true);
  });
});
