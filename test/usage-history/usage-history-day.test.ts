import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageHistory } from "../../src/usage-history/usage-history.js";

describe("UsageHistory days", () => {
  it("counts each request on its own UTC day, across midnight and back", () => {
    const midnight = Date.parse("2030-03-02T00:00:00.000Z");
    const history = new UsageHistory({
      path: join(mkdtempSync(join(tmpdir(), "cg-usage-")), "usage-history.json"),
      now: () => midnight,
    });
    for (const time of [midnight - 1, midnight, midnight + 86_399_999, midnight - 86_400_001, midnight - 1])
      history.record({ time, model: "gpt-4o", initiator: "user" });
    expect(history.rows(3).map((r) => [r.day, r.requests])).toEqual([
      ["2030-02-28", 1],
      ["2030-03-01", 2],
      ["2030-03-02", 2],
    ]);
  });
});
