import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { MediaPort } from "../../src/host/index.ts";
import { v1Schemas } from "../../src/storage/index.ts";
import { createMediaSource, readCollection, SourceError, type DetectedSource, type OldRecord } from "./sources.ts";

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
const idOf = (value: unknown) => (isObject(value) && typeof value.id === "string" ? value.id : undefined);
const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

function isExport(value: unknown): value is { session: unknown } {
  return isObject(value) && isObject(value.session) && "exportedAt" in value;
}
function isBackup(value: unknown): value is { collections: Record<string, unknown> } {
  return isObject(value) && isObject(value.collections) && "timestamp" in value;
}

/** The data folder's root when `path` is the root, its `db/`, or a file inside `db/` or `backups/`. */
function dataRootOf(path: string): string | undefined {
  for (const candidate of [path, dirname(path), dirname(dirname(path))]) {
    if (isDir(join(candidate, "db")) || isDir(join(candidate, "attachments"))) return candidate;
  }
  return undefined;
}

/** One session of the chunked layout, put back together from its files. */
function readChunkedSession(dir: string): unknown {
  const metadata = readCollection(join(dir, "metadata.json"));
  if (!isObject(metadata)) throw new Error(`${join(dir, "metadata.json")} is not a session's metadata`);
  const optional = (name: string) => (existsSync(join(dir, `${name}.json`)) ? readCollection(join(dir, `${name}.json`)) : undefined);
  const chunks = (folder: string, field: string): unknown[] => {
    const path = join(dir, folder);
    if (!isDir(path)) return [];
    return readdirSync(path)
      .filter((name) => /^chunk-\d+\.json$/.test(name))
      .sort((a, b) => Number(a.slice(6, -5)) - Number(b.slice(6, -5)))
      .flatMap((name) => {
        const chunk = readCollection(join(path, name));
        return isObject(chunk) && Array.isArray(chunk[field]) ? (chunk[field] as unknown[]) : [];
      });
  };
  const { chunks: _manifest, ...rest } = metadata;
  const videoChunks = chunks("video-chunks", "chunks");
  const video = isObject(rest.video) ? { ...rest.video, ...(videoChunks.length > 0 ? { chunks: videoChunks } : {}) } : undefined;
  const summary = optional("summary");
  const audioInsights = optional("audio-insights");
  const transcription = optional("transcription");
  const contextItems = optional("context-items");
  return {
    ...rest,
    ...(summary == null ? {} : { summary }),
    ...(audioInsights == null ? {} : { audioInsights }),
    ...(typeof transcription === "string" ? { fullTranscription: transcription } : {}),
    ...(Array.isArray(contextItems) ? { contextItems } : {}),
    screenshots: chunks("screenshots", "screenshots"),
    audioSegments: chunks("audio-segments", "segments"),
    ...(video === undefined ? {} : { video }),
  };
}

function dataFolder(root: string, media: MediaPort | undefined): DetectedSource {
  const db = join(root, "db");
  const problems: string[] = [];
  const sessionsDir = join(db, "sessions");
  const chunkedIds = new Set<string>();
  if (isDir(sessionsDir)) for (const id of readdirSync(sessionsDir)) if (existsSync(join(sessionsDir, id, "metadata.json"))) chunkedIds.add(id);
  if (existsSync(join(db, "session-index.json"))) {
    try {
      const index = readCollection(join(db, "session-index.json"));
      for (const id of Array.isArray(index) ? index : []) if (typeof id === "string" && existsSync(join(sessionsDir, id, "metadata.json"))) chunkedIds.add(id);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  let monolithic: unknown[] = [];
  const sessionsFile = join(db, "sessions.json");
  if (existsSync(sessionsFile)) {
    const value = readCollection(sessionsFile); // a damaged list fails the import: nothing is guessed
    monolithic = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.sessions) ? value.sessions : [];
  }
  const onlyMonolithic = monolithic.filter((s) => !chunkedIds.has(idOf(s) ?? ""));
  if (chunkedIds.size === 0 && monolithic.length === 0) throw new SourceError(`${root} is a data folder without sessions (no db/sessions.json, no db/sessions/*/metadata.json)`);
  const parts = [];
  if (chunkedIds.size > 0) parts.push(`chunked layout: ${chunkedIds.size} session(s)`);
  if (monolithic.length > 0) parts.push(`db/sessions.json: ${monolithic.length} session(s)${chunkedIds.size > 0 ? `, ${onlyMonolithic.length} not also in the chunked layout` : ""}`);
  const source = createMediaSource(root, media);
  return {
    format: "data-folder",
    description: `data folder ${root} (${parts.join("; ")})`,
    sessions: chunkedIds.size + onlyMonolithic.length,
    problems,
    async *records(): AsyncIterable<OldRecord> {
      for (const id of [...chunkedIds].sort()) {
        let record: unknown;
        try {
          record = readChunkedSession(join(sessionsDir, id));
        } catch (error) {
          // The session is reported as skipped (with the file's problem) rather than imported half.
          yield { record: { id }, media: source, problem: error instanceof Error ? error.message : String(error) };
          continue;
        }
        yield { record, media: source };
      }
      for (const record of onlyMonolithic) yield { record, media: source };
    },
  };
}

function fromValue(value: unknown, path: string, media: MediaPort | undefined): DetectedSource {
  const root = dataRootOf(dirname(path));
  if (isExport(value)) {
    return { format: "session-export", description: `per-session export ${basename(path)} (1 session; exports hold no media)`, sessions: 1, problems: [], records: async function* () { yield { record: value.session, media: createMediaSource(root, media) }; } };
  }
  if (isBackup(value)) {
    const sessions = Array.isArray(value.collections.sessions) ? (value.collections.sessions as unknown[]) : [];
    return { format: "backup", description: `backup ${basename(path)} (${sessions.length} session(s)${root === undefined ? "" : `, media from ${root}`})`, sessions: sessions.length, problems: [], records: async function* () { for (const record of sessions) yield { record, media: createMediaSource(root, media) }; } };
  }
  const parsed = v1Schemas().V1StoreSchema.safeParse(value);
  if (parsed.success) {
    const source = createMediaSource(root, media, parsed.data.attachments);
    return { format: "sessions-list", description: `sessions list ${basename(path)} (${parsed.data.sessions.length} session(s))`, sessions: parsed.data.sessions.length, problems: [], records: async function* () { for (const record of parsed.data.sessions) yield { record, media: source }; } };
  }
  throw new SourceError(
    `${path} is none of the previous app's formats (data folder, backup, per-session export, sessions list)`,
    "Give the previous app's data folder (the one holding db/ and attachments/), one of its backups/backup-*.json files, or a session exported as JSON.",
  );
}

/** Finds which of the previous app's formats `path` holds. */
export function detectSource(path: string, media: MediaPort | undefined): DetectedSource {
  if (!existsSync(path)) throw new SourceError(`${path} does not exist`, "Check the path.");
  if (isDir(path)) {
    const root = basename(path) === "db" && existsSync(join(path, "..", "attachments")) ? dirname(path) : path;
    if (isDir(join(root, "db"))) return dataFolder(root, media);
    const files = readdirSync(path).filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort();
    const exports: { file: string; session: unknown }[] = [];
    for (const name of files) {
      try {
        const value = readCollection(join(path, name));
        if (isExport(value)) exports.push({ file: name, session: value.session });
      } catch {
        // Not one of ours: ignored, as any other file in the folder.
      }
    }
    if (exports.length === 0) throw new SourceError(`${path} holds neither a data folder (db/) nor exported sessions (*.json)`, "Give the previous app's data folder or a folder of its session exports.");
    const source = createMediaSource(dataRootOf(path), media);
    return { format: "export-folder", description: `folder of ${exports.length} per-session export(s)`, sessions: exports.length, problems: [], records: async function* () { for (const e of exports) yield { record: e.session, media: source }; } };
  }
  if (basename(path) === "sessions.json" && basename(dirname(path)) === "db") return dataFolder(dirname(dirname(path)), media);
  return fromValue(readCollection(path), path, media);
}
