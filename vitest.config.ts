import { defineConfig } from "vitest/config";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  test: {
    include: ["engine/**/*.test.ts", "webview-ui/**/*.test.{ts,tsx}", "Scripts/**/*.test.ts"],
    exclude: ["node_modules", "dist", "**/*.browser.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
