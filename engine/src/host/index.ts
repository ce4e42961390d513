export * from "./host-port.ts";
export * from "./memory-files.ts";
export * from "./memory-host.ts";
export * from "./sha256.ts";
export * from "./simulated-clock.ts";
export * from "./text-codec.ts";
export * from "./web-shim.ts";
export * from "./host-fetch.ts";
