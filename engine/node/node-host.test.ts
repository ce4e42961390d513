import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { hostContractCases } from "../src/host/host.contract.ts";
import { createContractServer } from "../src/testing/contract-server.ts";
import { createNodeHost } from "./node-host.ts";

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
  for (const [index, contractCase] of hostContractCases.entries()) {
    it(contractCase.name, async () => {
      const host = createNodeHost({ dataDir, env: {} });
      await contractCase.run(host, { httpUrl: server.url, dir: `case-${index}` });
    });
  }
});
