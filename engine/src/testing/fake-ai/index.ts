export * from "./fake-ai.ts";
export * from "./decode.ts";
export { respond, transcriptFor } from "./responders.ts";
