import { afterAll, beforeAll, describe, it } from "vitest";
import { createContractServer } from "../testing/contract-server.ts";
import { hostContractCases } from "./host.contract.ts";
import { createMemoryHost } from "./memory-host.ts";

describe("memory host passes the host contract", () => {
  let server: Awaited<ReturnType<typeof createContractServer>>;
  beforeAll(async () => {
    server = await createContractServer();
  });
  afterAll(() => server.close());

  for (const [index, contractCase] of hostContractCases.entries()) {
    it(`simulated time: ${contractCase.name}`, async () => {
      const host = createMemoryHost();
      await contractCase.run(host, { httpUrl: server.url, dir: `case-${index}`, advance: (ms) => host.time!.advance(ms) });
    });
    it(`real time: ${contractCase.name}`, async () => {
      const host = createMemoryHost({ time: "real" });
      await contractCase.run(host, { httpUrl: server.url, dir: `case-${index}` });
    });
  }
});
