import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "devnet",
    include: ["src/**/*.test.ts"],
    globalSetup: ["./src/vitestGlobalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
