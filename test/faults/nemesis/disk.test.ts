import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClassicLevel } from "classic-level";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { corruptRecord, cutLogTo, markLog } from "./disk.js";

let dataDir: string;

function open() {
  return new ClassicLevel<string, Uint8Array>(join(dataDir, "db"), { keyEncoding: "utf8", valueEncoding: "view" });
}

async function putMany(db: ClassicLevel<string, Uint8Array>, from: number, to: number, sync: boolean) {
  for (let i = from; i < to; i++) await db.put(`!v!b\u0000k${i}`, new Uint8Array([i % 256, 1, 2, 3]), { sync });
}

async function present(db: ClassicLevel<string, Uint8Array>, from: number, to: number): Promise<number> {
  let count = 0;
  for (let i = from; i < to; i++) if ((await db.get(`!v!b\u0000k${i}`)) !== undefined) count++;
  return count;
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "skew-disk-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("a power cut under relaxed durability (cutLogTo)", () => {
  it("loses exactly the writes after the mark, and LevelDB opens what is left", async () => {
    const db = open();
    await db.open();
    await putMany(db, 0, 200, true);
    const mark = await markLog(dataDir);
    await putMany(db, 200, 400, false);
    await db.close();
    const cut = await cutLogTo(dataDir, mark);
    expect(cut).toBeGreaterThan(0);
    const reopened = open();
    await reopened.open();
    try {
      expect(await present(reopened, 0, 200)).toBe(200);
      expect(await present(reopened, 200, 400)).toBe(0);
    } finally {
      await reopened.close();
    }
  });

  it("cuts nothing when nothing was written after the mark", async () => {
    const db = open();
    await db.open();
    await putMany(db, 0, 10, true);
    const mark = await markLog(dataDir);
    await db.close();
    expect(await cutLogTo(dataDir, mark)).toBe(0);
  });

  it("names the folder that holds no log", async () => {
    await expect(markLog(join(dataDir, "missing"))).rejects.toThrow(/missing/);
  });
});

describe("a corrupted record (corruptRecord)", () => {
  it("flips one byte of one record and leaves the others and the database whole", async () => {
    const db = open();
    await db.open();
    await putMany(db, 0, 50, true);
    await db.put("!m!other", new Uint8Array([9, 9]));
    await db.close();
    const corruption = await corruptRecord(dataDir, 42, "k1");
    expect(corruption?.records).toBe(50);
    expect(corruption?.key).toContain("k1");
    const reopened = open();
    await reopened.open();
    try {
      let changed = 0;
      for (let i = 0; i < 50; i++) {
        const key = `!v!b\u0000k${i}`;
        const value = Uint8Array.from((await reopened.get(key)) as Uint8Array);
        const expected = new Uint8Array([i % 256, 1, 2, 3]);
        if (key !== corruption?.key) expect(value).toEqual(expected);
        else {
          const differing = value.filter((byte, j) => byte !== expected[j]).length;
          expect(differing).toBe(1);
          expect(value[corruption.byte]).toBe((expected[corruption.byte] as number) ^ 0xff);
          changed++;
        }
      }
      expect(changed).toBe(1);
      expect([...((await reopened.get("!m!other")) as Uint8Array)]).toEqual([9, 9]);
    } finally {
      await reopened.close();
    }
  });

  it("the same seed picks the same record and byte", async () => {
    const db = open();
    await db.open();
    await putMany(db, 0, 30, true);
    await db.close();
    const first = await corruptRecord(dataDir, 7);
    const second = await corruptRecord(dataDir, 7);
    expect(second?.key).toBe(first?.key);
    expect(second?.byte).toBe(first?.byte);
  });

  it("finds nothing to corrupt in an empty store", async () => {
    const db = open();
    await db.open();
    await db.close();
    expect(await corruptRecord(dataDir, 1)).toBeUndefined();
  });
});
