import { describe, expect, it } from "vitest";
import { createMemoryHost } from "../../host/index.ts";
import { decodePng, encodePng } from "../../image/index.ts";
import { resolvePlan } from "../plan.ts";
import type { EnrichmentProvider } from "../providers/port.ts";
import { createMemorySessionSource } from "../test-support.ts";
import { prepareImages } from "./images.ts";

const cloud = { name: "anthropic", local: false } as unknown as EnrichmentProvider;

function whiteShot(width: number, height: number) {
  const sessions = createMemorySessionSource();
  sessions.blobs.set("shot", encodePng({ width, height, data: new Uint8Array(width * height * 4).fill(255) }));
  return { sessions, shot: { ref: "0", t: 0, attachmentId: "shot", width, height, isDuplicate: false, mimeType: "image/png" } };
}

describe("screenshots read on the device before they leave", () => {
  it("blacks out the lines that hold a secret, and only those", async () => {
    const host = createMemoryHost();
    let read = 0;
    Object.assign(host, {
      vision: {
        recognizeText: async () => {
          read++;
          return {
            text: "Terminal\nexport OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345",
            confidence: 0.9,
            lines: [
              { text: "Terminal", confidence: 0.9, box: { x: 10, y: 10, width: 80, height: 12 } },
              { text: "export OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345", confidence: 0.9, box: { x: 20, y: 60, width: 150, height: 14 } },
            ],
          };
        },
      },
    });
    const { sessions, shot } = whiteShot(200, 100);
    const plan = resolvePlan({ provider: "anthropic" }, { anthropic: true, openai: false }, { readsScreens: true });
    const prepared = await prepareImages(host, sessions, cloud, plan, [shot]);
    expect(read).toBe(1);
    expect(prepared).toMatchObject({ blackedOut: 1, withheld: 0 });
    const sent = decodePng(prepared.images[0]!.bytes);
    const at = (x: number, y: number) => sent.data[(y * sent.width + x) * 4]!;
    expect(at(60, 66)).toBe(0);
    expect(at(100, 66)).toBe(0);
    // The harmless line and the rest of the screen are untouched.
    expect(at(40, 15)).toBe(255);
    expect(at(190, 95)).toBe(255);
  });

  it("keeps a screenshot it cannot read on the machine unless the user allowed unread ones", async () => {
    const { sessions, shot } = whiteShot(40, 20);
    const host = createMemoryHost();
    const strict = resolvePlan({ provider: "anthropic" }, { anthropic: true, openai: false }, { readsScreens: false });
    expect(strict.screenshots).toBe("local");
    expect(await prepareImages(host, sessions, cloud, strict, [shot])).toMatchObject({ images: [], withheld: 1 });
    const allowed = resolvePlan({ provider: "anthropic", allowUnreadScreenshots: true }, { anthropic: true, openai: false }, { readsScreens: false });
    expect(allowed.screenshots).toBe("anthropic");
    expect((await prepareImages(host, sessions, cloud, allowed, [shot])).images).toHaveLength(1);

    // Recognition that fails on one image is the same as none.
    Object.assign(host, { vision: { recognizeText: async () => Promise.reject(Object.assign(new Error("not an image"), { code: "EINVAL" })) } });
    const readable = resolvePlan({ provider: "anthropic" }, { anthropic: true, openai: false }, { readsScreens: true });
    expect(await prepareImages(host, sessions, cloud, readable, [shot])).toMatchObject({ images: [], withheld: 1 });
  });

  it("sends an imported JPEG by its real type, and downscales a large one to 1,568 px at most", async () => {
    const { default: encode } = await import("jpeg-js/lib/encoder.js" as string);
    const host = createMemoryHost();
    const sessions = createMemorySessionSource();
    const jpeg = (width: number, height: number) => new Uint8Array(encode({ width, height, data: new Uint8Array(width * height * 4).fill(128) }, 80).data);
    sessions.blobs.set("small", jpeg(300, 200));
    sessions.blobs.set("large", jpeg(3200, 2000));
    // The stored metadata says PNG; the bytes say otherwise.
    const shot = (attachmentId: string, width: number, height: number) => ({ ref: attachmentId, t: 0, attachmentId, width, height, isDuplicate: false, mimeType: "image/png" });
    const plan = resolvePlan({ provider: "anthropic", allowUnreadScreenshots: true, screenshotTokenBudget: 5000 }, { anthropic: true, openai: false }, { readsScreens: false });
    const { images } = await prepareImages(host, sessions, cloud, plan, [shot("small", 300, 200), shot("large", 3200, 2000)]);
    expect(images[0]).toMatchObject({ mimeType: "image/jpeg", width: 300, height: 200 });
    expect(images[1]!.mimeType).toBe("image/png");
    expect(Math.max(images[1]!.width, images[1]!.height)).toBeLessThanOrEqual(1568);
    expect(decodePng(images[1]!.bytes).width).toBe(images[1]!.width);
  });
});
