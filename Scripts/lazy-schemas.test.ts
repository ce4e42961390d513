import { describe, expect, it } from "vitest";
import * as z from "zod";
import { lazySchema } from "../engine/src/engine/lazy-schema.ts";
// @ts-expect-error plain ESM build script without types
import { findExpressionEnd, transformLazySchemas } from "./lazy-schemas.mjs";

describe("lazy schema transform", () => {
  it("wraps top-level schema constants and leaves everything else", () => {
    const source = [
      'import * as z from "zod";',
      'export const IdSchema = z.string().regex(/^[a-f0-9]{8}$/, "eight hex; no ; here").max(8);',
      "const Other = IdSchema.optional();",
      "export const BigSchema = z.object({",
      '  a: z.literal("}"),',
      "  b: z.string().default(`x ${1 + 2} }`),",
      "  c: z.array(z.number()), // a comment; with a semicolon",
      "});",
      "export function f() {",
      "  const inner = z.string();",
      "  return inner;",
      "}",
      "export const plain = 3;",
      "export const ChainSchema = z",
      "  .object({ a: z.string() })",
      "  .strict();",
      "export const ChunkSchema = chunkSchema(IdSchema);",
    ].join("\n");
    const { text, wrapped } = transformLazySchemas(source, "/x/lazy-schema.ts");
    expect(wrapped).toBe(5);
    expect(text).toContain("export const ChunkSchema = __lazySchema(() => (chunkSchema(IdSchema)));");
    expect(text).toContain("export const ChainSchema = __lazySchema(() => (z\n  .object({ a: z.string() })\n  .strict()));");
    expect(text).toContain('export const IdSchema = __lazySchema(() => (z.string().regex(/^[a-f0-9]{8}$/, "eight hex; no ; here").max(8)));');
    expect(text).toContain("const Other = __lazySchema(() => (IdSchema.optional()));");
    expect(text).toContain("  const inner = z.string();");
    expect(text).toContain("export const plain = 3;");
    expect(text.startsWith('import { lazySchema as __lazySchema } from "/x/lazy-schema.ts";')).toBe(true);
  });

  it("gives up (wraps nothing) when it cannot find the end", () => {
    expect(findExpressionEnd("z.object({ a: 1 }", 0)).toBe(-1);
    expect(transformLazySchemas("export const ASchema = z.object({", "/h.ts").wrapped).toBe(0);
  });

  it("a lazy schema builds once, on first use, and behaves like the schema", () => {
    let builds = 0;
    const Inner = lazySchema(() => {
      builds++;
      return z.object({ n: z.number().int() });
    });
    expect(builds).toBe(0);
    const Outer = lazySchema(() => z.object({ inner: Inner, list: z.array(Inner).default([]) }));
    expect(builds).toBe(0);
    expect(Outer.parse({ inner: { n: 1 } })).toEqual({ inner: { n: 1 }, list: [] });
    expect(Outer.safeParse({ inner: { n: 1.5 } }).success).toBe(false);
    expect(builds).toBe(1);
    expect(Inner instanceof z.ZodObject).toBe(true);
    expect(Object.keys(Inner.shape)).toEqual(["n"]);
    const Extended = Inner.extend({ m: z.string() });
    expect(Extended.parse({ n: 2, m: "x" })).toEqual({ n: 2, m: "x" });
    expect(z.toJSONSchema(Outer)).toMatchObject({ type: "object", required: ["inner", "list"] });
  });
});
