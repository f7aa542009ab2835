import { describe, expect, it } from "vitest";
import { jsonNestsDeeperThan } from "../../src/util/json-depth.js";

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("jsonNestsDeeperThan", () => {
  it("tells depth, not the number of brackets", () => {
    expect(jsonNestsDeeperThan(Buffer.from(nested(4)), 4)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(nested(5)), 4)).toBe(true);
    // Many brackets, shallow: past the quick count, the exact scan answers.
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify(Array.from({ length: 50 }, () => [{}]))), 4)).toBe(
      false,
    );
    // Brackets inside strings never count as depth.
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify({ a: "[[[[[[[[{{{{{{" })), 4)).toBe(false);
    // Escaped quotes do not end a string; an escaped backslash before a quote does.
    expect(jsonNestsDeeperThan(Buffer.from(`["\\"[[[[[[", 1]`), 4)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(`["\\\\", [[[[[[]]]]]]]`), 4)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from(`["${"x".repeat(10_000)}", "[[[[[[[[[[", ${nested(4)}]`), 4)).toBe(
      true,
    );
    expect(jsonNestsDeeperThan(new Uint8Array(Buffer.from(nested(5))), 4)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from(`{"a":${nested(3)},"b":{"c":${nested(2)}}}`), 4)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(`{"a":${nested(3)},"b":{"c":${nested(3)}}}`), 4)).toBe(true);
  });
});
