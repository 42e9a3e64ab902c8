import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "cli",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // one PostgreSQL server per run; each test file takes a fresh database from it (createTestDatabase)
    globalSetup: ["../devnet/src/vitestGlobalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
