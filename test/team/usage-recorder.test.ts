import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { utcDay } from "../../src/store/records.js";
import { openRedisStore } from "../../src/store/redis/open-redis-team.js";
import { UsageRecorder } from "../../src/team/usage-recorder.js";
import { RedisServer } from "../services/redis-server.js";

describe("UsageRecorder on a real Redis store", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it("sums requests into one write per group, and keeps counts whose write failed for the next try", async () => {
    const opened = await openRedisStore(redis.url, "usage-test");
    const warnings: string[] = [];
    const recorder = new UsageRecorder({
      store: opened.store,
      flushMs: 3_600_000,
      warn: (m) => warnings.push(m),
    });
    const at = Date.now();
    const day = utcDay(at);
    const request = (input: number, output: number, cached: number) => ({
      login: "alice",
      keyId: "key_a",
      model: "gpt-4.1",
      inputTokens: input,
      outputTokens: output,
      cachedTokens: cached,
      at,
    });
    const usage = () => opened.store.usage({ login: "alice", fromDay: day, toDay: day });
    try {
      recorder.add(request(10, 2, 1));
      recorder.add(request(20, 3, 0));
      expect(recorder.pending).toBe(1); // one group: alice, key_a, gpt-4.1, today
      await recorder.flush();
      expect(await usage()).toEqual([
        {
          login: "alice",
          model: "gpt-4.1",
          day,
          requests: 2,
          inputTokens: 30,
          outputTokens: 5,
          cachedTokens: 1,
        },
      ]);

      // Redis goes away: the write fails, the counts stay in memory, the operator is told.
      await redis.stop();
      recorder.add(request(7, 1, 0));
      await recorder.flush();
      expect(recorder.pending).toBe(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^warning: could not record usage for alice \(kept for the next try\): /);

      // Back (empty: the test server keeps nothing on disk); the kept counts and the new ones are written together.
      await redis.start();
      await expect
        .poll(
          () =>
            usage().then(
              () => true,
              () => false,
            ),
          { timeout: 10_000 },
        )
        .toBe(true);
      recorder.add(request(5, 1, 1));
      await recorder.close();
      expect(recorder.pending).toBe(0);
      expect(await usage()).toEqual([
        {
          login: "alice",
          model: "gpt-4.1",
          day,
          requests: 2,
          inputTokens: 12,
          outputTokens: 2,
          cachedTokens: 1,
        },
      ]);
    } finally {
      await opened.close();
    }
  });
});
