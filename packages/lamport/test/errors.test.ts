import { readFileSync } from "node:fs";
import path from "node:path";
import { SkewError } from "@skew/env";
import { LamportClock, LamportError } from "@skew/lamport";
import { describe, expect, it } from "vitest";
import { lamportErrorCodes } from "../src/errors.js";

const readme = readFileSync(path.join(import.meta.dirname, "..", "README.md"), "utf8");

describe("the error registry", () => {
  it("documents every code in the README's table, and no code that does not exist", () => {
    const table = readme.slice(readme.indexOf("## Error codes"), readme.indexOf("## Limits"));
    const documented = [...table.matchAll(/^\| `(LAMPORT_[A-Z_]+)`/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...lamportErrorCodes].sort());
    const mentioned = new Set(readme.match(/LAMPORT_[A-Z_]+/g));
    expect([...mentioned].filter((code) => !(lamportErrorCodes as readonly string[]).includes(code))).toEqual([]);
  });

  it("raises SkewErrors that name their class, their code and what happened", () => {
    const clock = new LamportClock("a", { counter: Number.MAX_SAFE_INTEGER });
    let caught: unknown;
    try {
      clock.tick();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LamportError);
    expect(caught).toBeInstanceOf(SkewError);
    const error = caught as LamportError;
    expect(error.name).toBe("LamportError");
    expect(error.code).toBe("LAMPORT_COUNTER_OVERFLOW");
    expect(error.message).toMatch(/^LamportClock\.tick: .*9007199254740991.*unchanged/);
  });
});
