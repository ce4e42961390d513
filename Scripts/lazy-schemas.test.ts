import { describe, expect, it } from "vitest";
import * as z from "zod";
import { lazySchema } from "../engine/src/engine/lazy-schema.ts";
// @ts-expect-error plain ESM build script without types
import { findExpressionEnd, transformLazySchemas, wrapMethodParams } from "./lazy-schemas.mjs";
import { createRouter, defineMethod } from "../engine/src/bridge/index.ts";

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

  it("wraps the inline params schema of a bridge method and nothing else of the call", () => {
    const source = [
      "const methods = {",
      '  "a.one": defineMethod(z.object({}).strict(), () => ({ ok: true })),',
      '  "a.two": defineMethod(z.object({ id: z.string().regex(/^[a-z,)]+$/), n: z.number().default(f(1, 2)) }).strict(), async ({ id }) => id, { callers: ["panel"] }),',
      '  "a.three": defineMethod(NamedSchema, () => 3),',
      "};",
    ].join("\n");
    const { text, wrapped } = wrapMethodParams(source);
    expect(wrapped).toBe(2);
    expect(text).toContain('"a.one": defineMethod(__lazySchema(() => (z.object({}).strict())), () => ({ ok: true })),');
    expect(text).toContain('"a.two": defineMethod(__lazySchema(() => (z.object({ id: z.string().regex(/^[a-z,)]+$/), n: z.number().default(f(1, 2)) }).strict())), async ({ id }) => id, { callers: ["panel"] }),');
    expect(text).toContain('"a.three": defineMethod(NamedSchema, () => 3),');
    expect(findExpressionEnd("z.string(); x", 0, { argument: true })).toBe(-1);
    // The whole transform counts these too and adds the helper's import.
    const whole = transformLazySchemas(source, "/h.ts");
    expect(whole.wrapped).toBe(2);
    expect(whole.text.startsWith('import { lazySchema as __lazySchema } from "/h.ts";')).toBe(true);
  });

  it("a method whose params schema is lazy validates as before and builds it on its first call", async () => {
    let builds = 0;
    const router = createRouter();
    router.register({
      "t.echo": defineMethod(
        lazySchema(() => {
          builds++;
          return z.object({ n: z.number().int() }).strict();
        }),
        ({ n }) => ({ n }),
      ),
    });
    expect(builds).toBe(0);
    expect(await router.handle({ v: 1, id: 1, method: "t.echo", params: { n: 2 } })).toMatchObject({ id: 1, result: { n: 2 } });
    expect(await router.handle({ v: 1, id: 2, method: "t.echo", params: { n: 2.5 } })).toMatchObject({ id: 2, error: { code: "bridge.invalid_params" } });
    expect(builds).toBe(1);
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
