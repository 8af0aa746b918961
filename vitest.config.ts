import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Suites that drive a container engine or the dagger CLI build and run real images.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // The image and registry suites share one Docker daemon; run files one at a time so their
    // timings (health checks, pushes) do not interfere.
    fileParallelism: false,
    reporters: ["default", "./test/support/summaryReporter.ts"],
  },
});
