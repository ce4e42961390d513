// Builds the JavaScriptCore test host (Scripts/jsc-host/build/stint-jsc-host)
// with gcc and pkg-config, and bundles test entries for it with esbuild.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const hostDir = dirname(fileURLToPath(import.meta.url));
export const root = join(hostDir, "..", "..");
export const hostBinary = join(hostDir, "build", "stint-jsc-host");

/** Compiles the host unless the binary is newer than every source file. */
export function buildJscHost({ force = false } = {}) {
  const sources = readdirSync(hostDir).filter((name) => name.endsWith(".c") || name.endsWith(".h"));
  const newest = Math.max(...sources.map((name) => statSync(join(hostDir, name)).mtimeMs));
  if (!force && existsSync(hostBinary) && statSync(hostBinary).mtimeMs > newest) return hostBinary;
  mkdirSync(dirname(hostBinary), { recursive: true });
  const flags = execFileSync("pkg-config", ["--cflags", "--libs", "javascriptcoregtk-4.1", "gio-2.0"], { encoding: "utf8" }).trim().split(/\s+/);
  const cFiles = sources.filter((name) => name.endsWith(".c")).map((name) => join(hostDir, name));
  execFileSync("gcc", ["-O2", "-Wall", "-Wextra", "-std=gnu11", "-o", hostBinary, ...cFiles, ...flags], { stdio: ["ignore", "inherit", "inherit"] });
  return hostBinary;
}

/** Bundles a TypeScript entry for the bare JSC context (browser platform, IIFE, es2022); `plugins` as the engine build's. */
export async function bundleForJsc(entry, outfile, { plugins = [] } = {}) {
  await build({ entryPoints: [entry], outfile, bundle: true, format: "iife", platform: "browser", target: "es2022", logLevel: "warning", legalComments: "none", plugins });
  return outfile;
}

/** Bundles a Node-side TypeScript helper (e.g. the contract server) so plain Node 20 can import it. */
export async function bundleForNode(entry, outfile) {
  await build({ entryPoints: [entry], outfile, bundle: true, format: "esm", platform: "node", target: "node20", packages: "external", logLevel: "warning" });
  return outfile;
}

/** Builds dist/engine.js (the real bundle, with its bundle check). */
export function buildEngine() {
  execFileSync(process.execPath, [join(root, "Scripts", "build.mjs"), "--quiet"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  return join(root, "dist", "engine.js");
}
