import { defineConfig } from "vitest/config";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  test: {
    include: ["engine/**/*.test.ts", "webview-ui/**/*.test.{ts,tsx}", "Scripts/**/*.test.ts"],
    exclude: ["node_modules", "dist", "**/*.browser.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    coverage: {
      // Only when asked (`npm test` does): the product's sources, not its test doubles and fixtures.
      provider: "v8",
      include: ["engine/src/**/*.{ts,tsx}", "webview-ui/src/**/*.{ts,tsx}"],
      exclude: ["**/*.test.{ts,tsx}", "**/*.contract.ts", "**/testing/**", "**/*.test-helpers.ts", "**/test-support.ts", "**/*.d.ts"],
      reporter: ["json-summary", "json"],
      reportsDirectory: ".test-artifacts/coverage",
      // A failing test must not hide the figures (the run fails anyway).
      reportOnFailure: true,
    },
  },
});
