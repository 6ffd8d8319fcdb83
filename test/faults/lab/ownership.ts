/**
 * Who owns which lab, so that none leaks and none collides. Every name a
 * lab creates carries its id `<k>-<pid>`: the subnet `10.213.<k>.0/24` and
 * the pid of the process that made it. A lab whose pid is dead is stale,
 * and `sweepStaleLabs` removes it (killing what still runs in its
 * namespaces). The subnet is claimed with a lock file created exclusively,
 * `/run/skew-lab/<k>` holding the pid, so two labs starting at the same
 * moment never get the same one.
 */

import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isAlive, isErrno, killAllIn, run } from "./commands.js";
import { LabError } from "./errors.js";

/** The first two octets of every lab's subnet; the third is the lab's `<k>`. */
export const labNetworkPrefix = "10.213";
/** The range of `<k>`. */
export const labSubnetFirst = 1;
export const labSubnetLast = 254;
/** Where the subnet claims live (tmpfs: gone at reboot, like the namespaces). */
export const labLockDirectory = "/run/skew-lab";

export function labId(subnet: number, pid: number): string {
  return `${subnet}-${pid}`;
}

/** The node's namespace (no length limit: a file name under /run/netns). */
export function namespaceName(id: string, node: string): string {
  return `skew-${id}-${node}`;
}

/** The bridge: `skw<k>-<pid>`, at most 14 characters (interface names are at most 15). */
export function bridgeName(id: string): string {
  return `skw${id}`;
}

/** The root end of the i-th node's veth pair (from 1): `s<k>-<pid>-<i>`, at most 15 characters. */
export function vethName(id: string, index: number): string {
  return `s${id}-${index}`;
}

const namespacePattern = /^skew-(\d+)-(\d+)-/;
const linkPatterns = [/^skw(\d+)-(\d+)$/, /^s(\d+)-(\d+)-\d+$/];

/**
 * Claims a free `<k>`: the lock file is written aside and linked into place
 * (a link fails if the name exists, and a claim is never seen empty). A
 * subnet some interface here already uses is skipped.
 */
export function claimSubnet(): number {
  mkdirSync(labLockDirectory, { recursive: true });
  const inUse = subnetsInUse();
  const span = labSubnetLast - labSubnetFirst + 1;
  for (let step = 0; step < span; step++) {
    const subnet = labSubnetFirst + ((process.pid + step) % span);
    if (inUse.has(subnet)) continue;
    const path = join(labLockDirectory, String(subnet));
    const draft = `${path}.claim-${process.pid}`;
    writeFileSync(draft, String(process.pid));
    try {
      linkSync(draft, path);
    } catch (error) {
      if (isErrno(error, "EEXIST")) continue;
      throw error;
    } finally {
      unlinkSync(draft);
    }
    return subnet;
  }
  throw new LabError(
    "LAB_NO_SUBNET",
    `every subnet ${labNetworkPrefix}.${labSubnetFirst}-${labSubnetLast}.0/24 is taken`,
  );
}

/** Gives the subnet back, if this process holds it. */
export function releaseSubnet(subnet: number): void {
  const path = join(labLockDirectory, String(subnet));
  if (readPid(path) !== process.pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Removes every lab whose owner process is dead: the processes left in its
 * namespaces (killed), the namespaces, the bridge and veths, the subnet
 * claim. Returns the ids of the labs it removed (`<k>-<pid>`).
 */
export async function sweepStaleLabs(): Promise<string[]> {
  const swept = new Set<string>();
  const namespaces = (await run("ip", ["netns", "list"]))
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name !== "");
  for (const namespace of namespaces) {
    const match = namespacePattern.exec(namespace);
    if (match === null || isAlive(Number(match[2]))) continue;
    killAllIn(namespace);
    await run("ip", ["netns", "del", namespace]).catch(() => undefined);
    swept.add(labId(Number(match[1]), Number(match[2])));
  }
  // Deleting a namespace deletes its veth pairs, but not at once; and the bridge stays.
  const links = JSON.parse(await run("ip", ["-j", "link", "show"])) as { ifname?: string }[];
  for (const { ifname } of links) {
    if (ifname === undefined) continue;
    const match = linkPatterns.map((pattern) => pattern.exec(ifname)).find((m) => m !== null);
    if (match === undefined || match === null || isAlive(Number(match[2]))) continue;
    await run("ip", ["link", "del", ifname]).catch(() => undefined);
    swept.add(labId(Number(match[1]), Number(match[2])));
  }
  for (const entry of lockEntries()) {
    if (entry.owner !== undefined && isAlive(entry.owner)) continue;
    if (removeStaleLock(entry.subnet)) swept.add(`${entry.subnet}-${entry.owner ?? "unknown"}`);
  }
  return [...swept].sort();
}

/** The third octets of the 10.213.x.0/24 addresses on this namespace's interfaces. */
function subnetsInUse(): Set<number> {
  const used = new Set<number>();
  const text = execFileSync("ip", ["-4", "-o", "addr", "show"], { encoding: "utf8" });
  const pattern = new RegExp(`inet ${labNetworkPrefix.replaceAll(".", "\\.")}\\.(\\d+)\\.`, "g");
  for (const match of text.matchAll(pattern)) used.add(Number(match[1]));
  return used;
}

function lockEntries(): { subnet: number; owner: number | undefined }[] {
  let names: string[];
  try {
    names = readdirSync(labLockDirectory);
  } catch {
    return [];
  }
  // Drafts and set-aside locks of processes that died between two steps.
  for (const name of names) {
    const match = /^\d+\.(?:claim|sweep)-(\d+)$/.exec(name);
    if (match === null || isAlive(Number(match[1]))) continue;
    try {
      unlinkSync(join(labLockDirectory, name));
    } catch {
      // another sweep got it
    }
  }
  return names
    .filter((name) => /^\d+$/.test(name))
    .map((name) => ({ subnet: Number(name), owner: readPid(join(labLockDirectory, name)) }));
}

/**
 * Removes a dead owner's claim without ever removing a live one: the lock
 * is moved aside first and read again there, and put back if a new owner
 * had claimed the subnet in between.
 */
function removeStaleLock(subnet: number): boolean {
  const path = join(labLockDirectory, String(subnet));
  const aside = `${path}.sweep-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  const owner = readPid(aside);
  if (owner !== undefined && isAlive(owner)) {
    try {
      linkSync(aside, path);
    } catch {
      // claimed again meanwhile; that claim stands
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
