import { describe as vdescribe, expect as vexpect, it as vit } from "vitest";
import * as shim from "./vitest-shim.ts";

vdescribe("the in-page vitest shim", () => {
  vit("runs cases with their hooks and reports failures with the matcher's message", async () => {
    const order: string[] = [];
    shim.describe("outer", () => {
      shim.beforeEach(() => void order.push("before"));
      shim.afterEach(() => void order.push("after"));
      shim.it("passes", async () => {
        order.push("run");
        shim.expect({ a: 1, b: [1, 2] }).toMatchObject({ b: [1, 2] });
        shim.expect(new Uint8Array([1, 2])).toEqual(new Uint8Array([1, 2]));
        await shim.expect(Promise.reject(Object.assign(new Error("x"), { code: "c" }))).rejects.toMatchObject({ code: "c" });
        shim.expect(() => {
          throw Object.assign(new Error("closed"), { code: "storage.transaction_closed" });
        }).toThrow(shim.expect.objectContaining({ code: "storage.transaction_closed" }));
      });
      shim.it("fails", () => shim.expect(1).toBe(2));
      shim.it.skip("skipped", () => shim.expect(1).toBe(2));
    });
    const results = await shim.runRegistered(1_000);
    vexpect(results.map((r) => [r.name, r.ok])).toEqual([["outer › passes", true], ["outer › fails", false]]);
    vexpect(results[1]?.error).toContain("expected 1 to be 2");
    vexpect(order).toEqual(["before", "run", "after", "before", "after"]);
    await vexpect(shim.expect(Promise.resolve(1)).rejects.toBe(1)).rejects.toThrow("expected a rejection");
  });
});
