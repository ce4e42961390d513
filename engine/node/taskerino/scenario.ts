import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jpeg, mp3, mp4, wav, writeCaAttachment, writeChunkedSession, writeCollection, writeFileAttachment } from "./fixtures.ts";

/**
 * A previous-app data folder with what its types allow: session A in the
 * chunked layout (JPEG screenshots, MP3 segments in the content-addressed
 * store, a segment with a transcript but no media, a screenshot whose file is
 * gone, context items, summary, insights, transcript, a video by path), B a
 * crashed active session, C only in `db/sessions.json` (media in
 * `attachments/{id}.dat`), and an older copy of A in `db/sessions.json` that
 * the chunked copy overrides.
 */
export const IDS = {
  a: "3f2c1a7e-8b4d-4e6f-9a1b-2c3d4e5f6a7b",
  b: "session-1709290000000-crash",
  c: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
};

export function sessionA(videoPath: string) {
  return {
    id: IDS.a,
    name: "Billing API",
    description: "Wire the invoices endpoint",
    status: "completed",
    startTime: "2024-03-01T09:00:00.000Z",
    endTime: "2024-03-01T09:00:59.000Z",
    totalDuration: 0,
    screenshotInterval: 0.5,
    autoAnalysis: true,
    enableScreenshots: true,
    audioMode: "transcription",
    audioRecording: true,
    audioReviewCompleted: true,
    extractedTaskIds: ["task-1"],
    extractedNoteIds: [],
    tags: ["billing"],
    category: "Deep Work",
    subCategory: "API Development",
    canvasSpec: { theme: { primary: "#000" } },
    screenshots: [
      { id: "shot-1", sessionId: IDS.a, timestamp: "2024-03-01T09:00:05.000Z", attachmentId: "att-shot-1", analysisStatus: "complete", aiAnalysis: { summary: "Editing invoices.ts", detectedActivity: "coding", extractedText: "export function invoices()", keyElements: ["VS Code", "Terminal"], confidence: 0.9, suggestedActions: ["Add tests"] }, userComment: "the bug is here", flagged: true },
      { id: "shot-2", sessionId: IDS.a, timestamp: "2024-03-01T09:00:25.000Z", attachmentId: "att-shot-2", analysisStatus: "complete", aiAnalysis: { summary: "Reading the docs", detectedActivity: "research", keyElements: ["Safari"], confidence: 0.8 } },
      { id: "shot-3", sessionId: IDS.a, timestamp: "2024-03-01T09:00:45.000Z", attachmentId: "att-shot-gone", analysisStatus: "complete", aiAnalysis: { summary: "Running the test suite", detectedActivity: "testing", keyElements: [], confidence: 0.7 } },
    ],
    audioSegments: [
      { id: "seg-1", sessionId: IDS.a, timestamp: "2024-03-01T09:00:00.000Z", duration: 2, transcription: "draft words", enrichedTranscription: "let us wire the invoices endpoint", attachmentId: "audio-a-0", keyPhrases: ["invoices"] },
      { id: "seg-2", sessionId: IDS.a, timestamp: "2024-03-01T09:00:30.000Z", duration: 2, transcription: "now the tests", attachmentId: "audio-a-1" },
      { id: "seg-3", sessionId: IDS.a, timestamp: "2024-03-01T09:00:50.000Z", duration: 2, transcription: "spoken while the file was lost" },
    ],
    contextItems: [
      { id: "ctx-1", sessionId: IDS.a, timestamp: "2024-03-01T09:00:10.000Z", type: "note", content: "Customer asked for CSV export" },
      { id: "ctx-2", sessionId: IDS.a, timestamp: "2024-03-01T09:00:20.000Z", type: "task", content: "Email finance" },
    ],
    summary: {
      narrative: "Wired the invoices endpoint and started its tests.",
      achievements: ["Endpoint works"],
      blockers: ["Waiting on API key"],
      recommendedTasks: [{ title: "Ship CSV export", priority: "urgent", context: "Customer asked", relatedScreenshotIds: ["shot-1"] }],
      keyInsights: [{ insight: "Tests are slow", timestamp: "2024-03-01T09:00:45.000Z", screenshotIds: [] }],
      focusAreas: [{ area: "API", duration: 1, percentage: 100 }],
      lastUpdated: "2024-03-01T09:01:00.000Z",
      screenshotCount: 3,
    },
    audioInsights: {
      narrative: "Focused and steady.",
      emotionalJourney: [{ timestamp: 5, emotion: "focused", description: "coding" }],
      keyMoments: [{ timestamp: 30, type: "achievement", description: "Endpoint returned data", context: "first success", excerpt: "it works" }],
      workPatterns: { focusLevel: "high", interruptions: 0, flowStates: [] },
      environmentalContext: { ambientNoise: "quiet", workSetting: "home", timeOfDay: "morning" },
      processedAt: "2024-03-01T09:02:00.000Z",
      modelUsed: "gpt-4o-audio-preview",
      processingDuration: 3,
    },
    fullTranscription: "let us wire the invoices endpoint now the tests",
    video: { id: "video-a", sessionId: IDS.a, fullVideoAttachmentId: "video-att-a", duration: 59, chunkingStatus: "complete", path: videoPath },
  };
}

export function sessionB() {
  return {
    id: IDS.b,
    name: "Crashed mid-way",
    description: "",
    status: "active",
    startTime: "2024-03-01T11:00:00.000Z",
    screenshotInterval: 2,
    screenshots: [{ id: "b-shot-1", sessionId: IDS.b, timestamp: "2024-03-01T11:03:00.000Z", attachmentId: "att-b-1", analysisStatus: "pending" }],
    extractedTaskIds: [],
    extractedNoteIds: [],
    tags: [],
  };
}

export function sessionC(name = "Planning call") {
  return {
    id: IDS.c,
    name,
    description: "Q2 planning",
    status: "completed",
    startTime: "2024-02-28T15:00:00.000Z",
    endTime: "2024-02-28T15:10:30.000Z",
    totalPausedTime: 30_000,
    totalDuration: 10,
    screenshots: [{ id: "c-shot-1", sessionId: IDS.c, timestamp: "2024-02-28T15:01:00.000Z", attachmentId: "att-c-1", analysisStatus: "complete", aiAnalysis: { summary: "Slides", detectedActivity: "meeting", keyElements: ["Keynote"], confidence: 1 } }],
    audioSegments: [{ id: "c-seg-1", sessionId: IDS.c, timestamp: "2024-02-28T15:00:10.000Z", duration: 1, transcription: "welcome everyone", attachmentId: "att-c-audio" }],
    summary: { narrative: "Planned Q2.", achievements: [], blockers: [], recommendedTasks: [], keyInsights: [], focusAreas: [], lastUpdated: "2024-02-28T15:11:00.000Z", screenshotCount: 1 },
    extractedTaskIds: [],
    extractedNoteIds: [],
    tags: ["planning"],
  };
}

/** Writes the data folder; returns the media bytes it used, for byte-for-byte checks. */
export function writeDataFolder(root: string, options: { compressed: boolean; videoDir: string }) {
  const media = { shot1: jpeg(64, 48, "red"), shot2: jpeg(32, 24, "blue"), audio0: mp3(2, 440), audio1: mp3(2, 660), shotB: jpeg(40, 30, "green"), shotC: jpeg(80, 60, "white"), audioC: wav(1), video: mp4(1) };
  const { compressed } = options;
  mkdirSync(options.videoDir, { recursive: true });
  const videoPath = join(options.videoDir, "session-a.mp4");
  writeFileSync(videoPath, media.video);
  writeCaAttachment(root, media.shot1, "image/jpeg", "screenshot", [{ sessionId: IDS.a, attachmentId: "att-shot-1" }], compressed);
  writeCaAttachment(root, media.shot2, "image/jpeg", "screenshot", [{ sessionId: IDS.a, attachmentId: "att-shot-2" }], compressed);
  writeCaAttachment(root, media.audio0, "audio/mp3", "audio", [{ sessionId: IDS.a, attachmentId: "audio-a-0" }], compressed);
  writeCaAttachment(root, media.audio1, "audio/mp3", "audio", [{ sessionId: IDS.a, attachmentId: "audio-a-1" }], compressed);
  writeCaAttachment(root, media.shotB, "image/jpeg", "screenshot", [{ sessionId: IDS.b, attachmentId: "att-b-1" }], compressed);
  writeFileAttachment(root, "video-att-a", { type: "video", name: "Session recording.mp4", mimeType: "video/mp4", size: media.video.length, path: videoPath, duration: 59 });
  writeFileAttachment(root, "att-c-1", { type: "screenshot", name: "shot.jpg", mimeType: "image/png", size: media.shotC.length }, media.shotC);
  writeFileAttachment(root, "att-c-audio", { type: "audio", name: "seg.wav", mimeType: "audio/wav", size: media.audioC.length }, media.audioC, false);
  const a = sessionA(videoPath);
  writeChunkedSession(root, a, compressed);
  writeChunkedSession(root, sessionB(), compressed);
  writeCollection(root, "session-index", [IDS.a, IDS.b], compressed);
  const olderA = { ...a, name: "Billing API (older copy)", screenshots: [] };
  writeCollection(root, "sessions", [olderA, sessionC()], compressed);
  return { media, videoPath, sessions: { a, b: sessionB(), c: sessionC() } };
}
