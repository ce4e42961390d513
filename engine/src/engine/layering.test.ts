import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const here = import.meta.dirname;
const FEATURE_FOLDERS = ["storage", "session", "enrichment", "media", "review", "search", "product"];

describe("the composition root's layering", () => {
  it("engine/ imports no feature folder: features import its types, and only product/ lists the features", () => {
    const offending: string[] = [];
    for (const name of readdirSync(here).filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))) {
      const text = readFileSync(join(here, name), "utf8");
      for (const match of text.matchAll(/from "\.\.\/([a-z-]+)\//g)) if (FEATURE_FOLDERS.includes(match[1]!)) offending.push(`${name} → ${match[1]}`);
    }
    expect(offending).toEqual([]);
    // The check reads real imports: the list itself does import every feature.
    const product = readFileSync(join(here, "../product/index.ts"), "utf8");
    expect(FEATURE_FOLDERS.filter((folder) => product.includes(`from "../${folder}/`))).toEqual(["storage", "session", "enrichment", "review", "search"]);
  });
});
