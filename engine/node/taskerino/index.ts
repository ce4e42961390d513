/**
 * Readers for the previous app's on-disk formats (Node only: they walk a
 * folder the user names and decompress with node:zlib). They hand session
 * records and a media source to storage's `importSessions`, which maps and
 * writes them through the platform-neutral engine.
 */
export { detectSource } from "./detect.ts";
export { SourceError, createMediaSource, type DetectedSource, type OldRecord } from "./sources.ts";
export { identify, sniff, decodeBase64Text, type Sniffed } from "./media.ts";
export { oldChecksum, unwrapText, type Unwrapped } from "./wrapper.ts";
