import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import * as z from "zod";
import { ENGINE_VERSION, type Engine } from "../../src/engine/index.ts";
import { redact } from "../../src/enrichment/index.ts";
import type { Command } from "./command.ts";
import { storageOf } from "./export.ts";
import { callEngine, formatMoment, searchSessions } from "./search-support.ts";

type Detail = {
  session: { id: string; name: string; startedAt: number; durationMs: number; tags: string[] };
  summary?: { text: string; points?: { text: string; evidence?: { tStart: number }[] }[] };
  chapters?: { t: number; tEnd: number; title: string; summary?: string }[];
  tasks: { id: string; text: string; done?: boolean; evidence: { tStart: number }[] }[];
  notes: { id: string; text: string; evidence: { tStart: number }[] }[];
  timeline: ({ kind: string; t: number; tEnd?: number; text?: string; ref?: string; label?: string })[];
  timelineTotal?: number;
};

const json = (value: unknown) => ({ content: [{ type: "text" as const, text: JSON.stringify(value, null, 2) }] });
const failure = (message: string) => ({ content: [{ type: "text" as const, text: message }], isError: true });
const at = (evidence: readonly { tStart: number }[]) => (evidence[0] === undefined ? undefined : evidence[0].tStart);

/**
 * The MCP server over an opened engine: read-only tools that go through the
 * bridge (the same answers `stint search` and the panel get).
 */
export function createStintMcpServer(engine: Engine, options: { readonly allowUnreadScreenshots: boolean }): McpServer {
  const server = new McpServer({ name: "stint", version: ENGINE_VERSION });
  const detail = (id: string, timelineLimit?: number) => callEngine<Detail>(engine, "review.session", { id, ...(timelineLimit === undefined ? {} : { timelineLimit }) });
  const readOnly = { readOnlyHint: true, openWorldHint: false };

  server.registerTool(
    "search",
    {
      description: 'Full-text search over every recorded work session: what was said (transcripts), shown on screen, summaries, chapters, tasks, notes, names and tags. Query language: words, prefix*, "quoted phrases", app:NAME, tag:NAME, kind:(transcript|screen|summary|chapter|task|note|marker|name|tag|app), before:/after:YYYY-MM-DD. Each hit gives the session id and the moment (ms into the session).',
      inputSchema: { query: z.string().min(1).max(1_000), limit: z.number().int().min(1).max(100).optional() },
      annotations: readOnly,
    },
    async ({ query, limit }) => json((await searchSessions(engine, query, limit ?? 20)).hits.map((hit) => ({ sessionId: hit.sessionId, session: hit.sessionName, startedAt: new Date(hit.startedAt).toISOString(), kind: hit.kind, atMs: hit.startMs, at: formatMoment(hit.startMs), endMs: hit.endMs, snippet: hit.snippet.text }))),
  );

  server.registerTool(
    "list_sessions",
    { description: "Recorded sessions, newest first, with their dates, durations and tags.", inputSchema: { limit: z.number().int().min(1).max(500).optional(), tag: z.string().max(200).optional() }, annotations: readOnly },
    async ({ limit, tag }) => {
      const { sessions } = await callEngine<{ sessions: { id: string; name: string; startedAt: number; durationMs: number; tags: string[]; status: string }[] }>(engine, "review.list", {});
      const rows = sessions.filter((s) => tag === undefined || s.tags.some((t) => t.toLowerCase() === tag.toLowerCase())).slice(0, limit ?? 50);
      return json(rows.map((s) => ({ id: s.id, name: s.name, startedAt: new Date(s.startedAt).toISOString(), durationMs: s.durationMs, tags: s.tags, status: s.status })));
    },
  );

  server.registerTool(
    "get_session",
    { description: "One session's summary, chapters, tasks and notes, each with the moment (ms into the session) it came from.", inputSchema: { sessionId: z.string().min(1).max(100) }, annotations: readOnly },
    async ({ sessionId }) => {
      const d = await detail(sessionId, 1);
      return json({
        id: d.session.id,
        name: d.session.name,
        startedAt: new Date(d.session.startedAt).toISOString(),
        durationMs: d.session.durationMs,
        tags: d.session.tags,
        summary: d.summary?.text,
        points: (d.summary?.points ?? []).map((p) => ({ text: p.text, atMs: at(p.evidence ?? []) })),
        chapters: (d.chapters ?? []).map((c) => ({ title: c.title, summary: c.summary, startMs: c.t, endMs: c.tEnd })),
        tasks: d.tasks.map((t) => ({ text: t.text, done: t.done === true, atMs: at(t.evidence) })),
        notes: d.notes.map((n) => ({ text: n.text, atMs: at(n.evidence) })),
      });
    },
  );

  server.registerTool(
    "get_transcript",
    {
      description: "What was said in a session between two moments (ms into the session; default the whole session).",
      inputSchema: { sessionId: z.string().min(1).max(100), fromMs: z.number().nonnegative().optional(), toMs: z.number().nonnegative().optional() },
      annotations: readOnly,
    },
    async ({ sessionId, fromMs, toMs }) => {
      const d = await detail(sessionId);
      const from = fromMs ?? 0;
      const to = toMs ?? Number.POSITIVE_INFINITY;
      const lines = d.timeline.filter((item) => item.kind === "transcript" && (item.tEnd ?? item.t) >= from && item.t <= to);
      return json(lines.map((item) => ({ startMs: item.t, endMs: item.tEnd, at: formatMoment(item.t), text: item.text })));
    },
  );

  server.registerTool(
    "get_screenshot",
    {
      description: "The screenshot shown at a moment of a session (the nearest one at or before atMs). Screenshots whose screen text holds a secret are withheld.",
      inputSchema: { sessionId: z.string().min(1).max(100), atMs: z.number().nonnegative() },
      annotations: readOnly,
    },
    async ({ sessionId, atMs }) => {
      const storage = storageOf(engine);
      const shots = await storage.sessions.getScreenshots(sessionId).catch(() => undefined);
      if (shots === undefined) return failure(`no session ${sessionId}`);
      const before = shots.filter((s) => s.sessionTimeMs <= atMs).sort((a, b) => b.sessionTimeMs - a.sessionTimeMs);
      const shot = before[0] ?? [...shots].sort((a, b) => a.sessionTimeMs - b.sessionTimeMs)[0];
      if (shot === undefined) return failure("this session has no screenshots");
      const screenText = [shot.analysis?.text, shot.analysis?.summary].filter((t) => t !== undefined).join("\n");
      // The same rule as enrichment: a screenshot leaves the machine only when its text was read and holds no secret.
      if (screenText.trim() === "" && !options.allowUnreadScreenshots) return failure("this screenshot's text was never read, so it is withheld (start `stint mcp --allow-unread-screenshots` to allow it)");
      if (redact(screenText, { emails: true }).count > 0) return failure("this screenshot shows a secret and is withheld");
      const attachment = await storage.attachments.getAttachment(shot.attachmentId);
      const bytes = await storage.attachments.loadAttachment(shot.attachmentId);
      return {
        content: [
          { type: "image" as const, data: Buffer.from(bytes).toString("base64"), mimeType: attachment?.mimeType ?? "image/png" },
          { type: "text" as const, text: JSON.stringify({ sessionId, atMs: shot.sessionTimeMs, at: formatMoment(shot.sessionTimeMs), apps: shot.analysis?.apps ?? [] }) },
        ],
      };
    },
  );
  return server;
}

export const mcpCommand: Command = {
  name: "mcp",
  summary: "Serve Stint's sessions to AI assistants over the Model Context Protocol (stdio, read-only)",
  usage: "stint mcp [--allow-unread-screenshots]",
  flags: { "allow-unread-screenshots": { type: "boolean", description: "let get_screenshot return screenshots whose text was never read for secrets" } },
  async run(context) {
    const engine = await context.openEngine();
    const server = createStintMcpServer(engine, { allowUnreadScreenshots: context.args.flags["allow-unread-screenshots"] === true });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      process.stdin.once("end", () => resolve());
    });
    await server.connect(transport);
    await closed;
    await server.close().catch(() => undefined);
    return 0;
  },
};
