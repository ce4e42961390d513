import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import type { MediaPort } from "../../src/host/index.ts";
import type { ImportMediaSource, MediaLookup, MediaRole } from "../../src/storage/index.ts";
import { decodeBase64Text, identify } from "./media.ts";
import { unwrapText, WrapperError } from "./wrapper.ts";

/**
 * The previous app's formats, found by shape:
 * - its data folder, `db/` written through its file adapter: the chunked
 *   layout (`db/session-index.json`, `db/sessions/{id}/metadata.json`, …,
 *   content-addressed media in `db/attachments-ca/{hh}/{hash}/`) and the
 *   older monolithic `db/sessions.json` with media in `attachments/{id}.dat`;
 *   where a session is in both, the chunked copy wins;
 * - a backup `{ version, timestamp, collections: { sessions } }`;
 * - a per-session export `{ session, exportedAt, version, application }`, or
 *   a folder of them;
 * - what earlier Stint versions accepted: a bare array, `{ sessions, attachments }`.
 * Every file is read on its own (one session's chunks at a time), so memory
 * follows the largest session, not the folder.
 */

export class SourceError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "SourceError";
  }
}

export interface OldRecord {
  readonly record: unknown;
  readonly media: ImportMediaSource;
  readonly problem?: string;
}

export interface DetectedSource {
  /** What was found, in words (`data folder, chunked layout: 12 sessions`). */
  readonly description: string;
  readonly format: "data-folder" | "backup" | "session-export" | "export-folder" | "sessions-list";
  readonly sessions: number;
  records(): AsyncIterable<OldRecord>;
  /** Files that failed their checksum or could not be read, with why (their sessions are skipped, not guessed). */
  readonly problems: string[];
}

/** Reads one adapter file (wrapped or not), verifying its checksum. */
export function readCollection(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SourceError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const unwrapped = unwrapText(text);
    if (unwrapped.checksum === "mismatch") throw new SourceError(`${path} fails its checksum: the file is damaged`, "Restore it from the previous app's backups folder and import again.");
    return unwrapped.value;
  } catch (error) {
    if (error instanceof WrapperError) throw new SourceError(`${path}: ${error.message}`);
    throw error;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
const HASH = /^[0-9a-f]{64}$/;

/** Where the media of a data folder (or of a file with inline data) lives. */
export function createMediaSource(root: string | undefined, hostMedia: MediaPort | undefined, inlineAttachments: Record<string, unknown> = {}): ImportMediaSource {
  let caByAttachment: Map<string, string> | undefined;
  let attachmentIndex: Map<string, Record<string, unknown>> | undefined;
  const caDir = root === undefined ? undefined : join(root, "db", "attachments-ca");

  /** attachmentId → content hash, from the content-addressed store's reference lists (built once, on first need). */
  const caReferences = (): Map<string, string> => {
    if (caByAttachment !== undefined) return caByAttachment;
    caByAttachment = new Map();
    if (caDir === undefined || !existsSync(caDir)) return caByAttachment;
    for (const prefix of readdirSync(caDir)) {
      const prefixDir = join(caDir, prefix);
      if (!statSync(prefixDir).isDirectory()) continue;
      for (const hash of readdirSync(prefixDir)) {
        try {
          const meta = readCollection(join(prefixDir, hash, "metadata.json"));
          for (const ref of isObject(meta) && Array.isArray(meta.references) ? meta.references : []) if (isObject(ref) && typeof ref.attachmentId === "string") caByAttachment.set(ref.attachmentId, hash);
        } catch {
          // A damaged metadata file only loses this lookup path.
        }
      }
    }
    return caByAttachment;
  };
  const attachmentsCollection = (): Map<string, Record<string, unknown>> => {
    if (attachmentIndex !== undefined) return attachmentIndex;
    attachmentIndex = new Map();
    const path = root === undefined ? undefined : join(root, "db", "attachments.json");
    if (path !== undefined && existsSync(path)) {
      try {
        const list = readCollection(path);
        for (const a of Array.isArray(list) ? list : []) if (isObject(a) && typeof a.id === "string") attachmentIndex.set(a.id, a);
      } catch {
        // Optional index.
      }
    }
    return attachmentIndex;
  };
  const resolvePath = (path: string) => (isAbsolute(path) || root === undefined ? path : join(root, path));

  type Located = { inline: string } | { file: string; as: "base64" | "wrapped-base64" | "raw" } | { missing: string };
  const caFile = (hash: string): Located | undefined => {
    if (caDir === undefined) return undefined;
    const path = join(caDir, hash.slice(0, 2), hash, "data.json");
    return existsSync(path) ? { file: path, as: "wrapped-base64" } : undefined;
  };
  const byAttachmentId = (id: string): Located | undefined => {
    const inline = inlineAttachments[id];
    if (isObject(inline)) {
      const text = typeof inline.data === "string" ? inline.data : typeof inline.base64 === "string" ? inline.base64 : undefined;
      if (text !== undefined) return { inline: text };
      if (typeof inline.path === "string" && existsSync(resolvePath(inline.path))) return { file: resolvePath(inline.path), as: "raw" };
    }
    if (root === undefined) return undefined;
    const safe = basename(id) === id && id !== "" && !id.startsWith(".");
    if (safe && existsSync(join(root, "attachments", `${id}.dat`))) return { file: join(root, "attachments", `${id}.dat`), as: "base64" };
    if (HASH.test(id)) {
      const found = caFile(id) ?? (existsSync(join(root, "attachments", id.slice(0, 2), `${id}.dat`)) ? { file: join(root, "attachments", id.slice(0, 2), `${id}.dat`), as: "base64" as const } : undefined);
      if (found !== undefined) return found;
    }
    const indexed = attachmentsCollection().get(id);
    if (indexed !== undefined && typeof indexed.hash === "string" && HASH.test(indexed.hash)) {
      const found = byAttachmentId(indexed.hash);
      if (found !== undefined) return found;
    }
    const caHash = caReferences().get(id);
    if (caHash !== undefined) return caFile(caHash);
    // File-based attachments (video): the metadata names a path.
    const metaPath = safe ? join(root, "attachments", `${id}.meta.json`) : undefined;
    const meta = metaPath !== undefined && existsSync(metaPath) ? (() => { try { return JSON.parse(readFileSync(metaPath, "utf8")) as unknown; } catch { return undefined; } })() : indexed;
    if (isObject(meta) && typeof meta.path === "string") {
      const path = resolvePath(meta.path);
      return existsSync(path) && statSync(path).isFile() ? { file: path, as: "raw" } : { missing: `its file ${meta.path} is gone` };
    }
    return undefined;
  };
  const locate = (item: Readonly<Record<string, unknown>>, role: MediaRole): Located => {
    for (const key of ["data", "base64"]) if (typeof item[key] === "string" && (item[key] as string).length > 0) return { inline: item[key] as string };
    if (role === "video") {
      if (typeof item.path === "string") {
        const path = resolvePath(item.path);
        if (existsSync(path) && statSync(path).isFile()) return { file: path, as: "raw" };
      }
      const id = typeof item.fullVideoAttachmentId === "string" ? item.fullVideoAttachmentId : undefined;
      const found = id === undefined ? undefined : byAttachmentId(id);
      return found ?? { missing: id === undefined ? "no video file is named" : `no file for video attachment ${id}` };
    }
    if (typeof item.hash === "string" && HASH.test(item.hash)) {
      const found = byAttachmentId(item.hash);
      if (found !== undefined) return found;
    }
    if (typeof item.attachmentId === "string") return byAttachmentId(item.attachmentId) ?? { missing: root === undefined ? "the file holds no media for it" : `no file for attachment ${item.attachmentId}` };
    if (typeof item.path === "string" && existsSync(resolvePath(item.path))) return { file: resolvePath(item.path), as: "raw" };
    return { missing: "no media was recorded for it" };
  };
  return {
    async token(item, role) {
      const at = locate(item, role);
      if ("inline" in at) return `inline:${at.inline.length}`;
      if ("missing" in at) return "missing";
      const stat = statSync(at.file);
      return `${at.file}:${stat.size}:${Math.round(stat.mtimeMs)}`;
    },
    async load(item, role): Promise<MediaLookup> {
      const at = locate(item, role);
      if ("missing" in at) return at;
      let bytes: Uint8Array | undefined;
      try {
        if ("inline" in at) bytes = decodeBase64Text(at.inline);
        else if (at.as === "raw") bytes = new Uint8Array(readFileSync(at.file));
        else if (at.as === "base64") bytes = decodeBase64Text(readFileSync(at.file, "utf8"));
        else {
          const value = readCollection(at.file);
          bytes = typeof value === "string" ? decodeBase64Text(value) : undefined;
        }
      } catch (error) {
        return { missing: error instanceof Error ? error.message : String(error) };
      }
      if (bytes === undefined) return { missing: "its stored data is not base64" };
      return identify(bytes, role, hostMedia);
    },
  };
}
