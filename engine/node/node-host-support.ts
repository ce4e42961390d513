export { createFetchHttp } from "../src/host/index.ts";
export { redactData as redactForHost } from "../src/engine/index.ts";
