/** Engine version, stamped by the build (esbuild `define`); "dev" when run from source. */
declare const __STINT_VERSION__: string | undefined;
export const ENGINE_VERSION: string = typeof __STINT_VERSION__ === "string" ? __STINT_VERSION__ : "0.0.0-dev";
/** Bridge protocol version carried in every envelope as `v`. */
export const PROTOCOL_VERSION = 1 as const;
