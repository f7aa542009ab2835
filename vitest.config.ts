import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Reset times are worded in local time ("resets Tue 14:30"); tests pin the zone.
    env: { TZ: "UTC" },
  },
});
