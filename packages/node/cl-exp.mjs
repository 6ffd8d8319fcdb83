import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ClassicLevel } from "classic-level";

const dir = mkdtempSync(path.join(os.tmpdir(), "clexp-"));
const db = new ClassicLevel(path.join(dir, "db"), { keyEncoding: "utf8", valueEncoding: "view" });
await db.open();
const v = db.sublevel("v", { valueEncoding: "view" });
await db.batch([{ type: "put", sublevel: v, key: "a\u0000b", value: new Uint8Array([1, 2]) }], { sync: true });
for await (const [k, val] of v.iterator()) console.log(JSON.stringify(k), val.constructor.name, val);
for await (const [k, val] of db.iterator()) console.log(JSON.stringify(k), val.constructor.name);
const db2 = new ClassicLevel(path.join(dir, "db"), { valueEncoding: "view" });
try {
  await db2.open();
} catch (e) {
  console.log(e.code, e.message, e.cause?.code, e.cause?.message);
}
await db.batch([]);
await db.close();
try {
  await db.batch([{ type: "put", key: "x", value: new Uint8Array(1) }]);
} catch (e) {
  console.log(e.code, e.message);
}
const db3 = new ClassicLevel("/proc/nonexistent/db", { valueEncoding: "view" });
try {
  await db3.open();
} catch (e) {
  console.log(e.code, e.message, e.cause?.code, e.cause?.message);
}
