import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostContractCases } from "../src/host/host.contract.ts";
import { createContractServer } from "../src/testing/contract-server.ts";
import { createNodeHost } from "./node-host.ts";
import { createTesseractVision } from "./vision-tesseract.ts";

describe("node host passes the host contract", () => {
  let server: Awaited<ReturnType<typeof createContractServer>>;
  let dataDir: string;
  beforeAll(async () => {
    server = await createContractServer();
    dataDir = await mkdtemp(join(tmpdir(), "stint-node-host-"));
  });
  afterAll(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  it("offers vision: tesseract is installed by Scripts/setup-system.sh", () => {
    expect(createTesseractVision({ dataDir }), "tesseract-ocr with its English model").toBeDefined();
  });
  it("the vision case catches line boxes that are not where the text was drawn", async () => {
    const real = createTesseractVision({ dataDir });
    const visionCase = hostContractCases.find((c) => c.name.startsWith("vision:"));
    expect(real !== undefined && visionCase !== undefined).toBe(true);
    const shifted = {
      async recognizeText(path: string) {
        const result = await real!.recognizeText(path);
        return { ...result, lines: result.lines.map((line) => ({ ...line, box: { ...line.box, y: line.box.y + 30 } })) };
      },
    };
    const host = createNodeHost({ dataDir, env: {}, vision: shifted });
    await expect(visionCase!.run(host, { httpUrl: server.url, dir: "vision-negative" })).rejects.toThrow(/boxed near/);
  });
  for (const [index, contractCase] of hostContractCases.entries()) {
    it(contractCase.name, async () => {
      const host = createNodeHost({ dataDir, env: {}, vision: createTesseractVision({ dataDir }) });
      await contractCase.run(host, { httpUrl: server.url, dir: `case-${index}` });
    });
  }
});
