/**
 * The extractive summary: plain sentences whose numbers are the session's
 * own (the same counts the header shows), what the time went to, what was
 * said, and tasks and notes found in speech and on screen, each linked to
 * the moment it came from. Says which method made it.
 */
import type { Evidence } from "../types.ts";
import type { TimelineContext } from "./port.ts";
import type { Chapter, Note, SummaryOutput, Task } from "./schemas.ts";
import { countOf, frequencies, listOf, NOTE_PATTERN, sentences, spokenDuration, TASK_PATTERN, topWords, words } from "./local-text.ts";

const SCREEN_TASK = /^\W*(?:\/\/\s*|#\s*)?(?:TODO|To-?do|FIXME|Action item)\b\W*(.{6,})$/i;
const SCREEN_NOTE = /^\W*(?:Decided|Decision|Note|Important|Agreed)\b\W+(.{6,})$/i;
const HIGH = /\b(?:must|urgent|asap|before the release|today)\b/i;

const normal = (text: string) => words(text).join(" ");

/** Tasks and notes from on-screen text: TODO lines, decisions; each at the screenshot where it first appeared. */
function fromScreen(context: TimelineContext): { tasks: Task[]; notes: Note[] } {
  const tasks: Task[] = [];
  const notes: Note[] = [];
  const seen = new Set<string>();
  for (const shot of [...context.screenshots].sort((a, b) => a.t - b.t)) {
    const evidence: Evidence[] = [{ tStart: shot.t, tEnd: shot.t, kind: "screenshot", ref: shot.ref }];
    for (const line of shot.details.split("\n")) {
      const task = SCREEN_TASK.exec(line.trim());
      const note = task === null ? SCREEN_NOTE.exec(line.trim()) : null;
      const text = (task?.[1] ?? note?.[1])?.trim();
      if (text === undefined) continue;
      const key = normal(text);
      if (key === "" || seen.has(key)) continue;
      seen.add(key);
      if (task !== null) tasks.push({ title: text.slice(0, 500), priority: HIGH.test(text) ? "high" : "medium", evidence });
      else notes.push({ text: `${line.trim()}`.slice(0, 4000), evidence });
    }
  }
  return { tasks, notes };
}

/** The method line: said once, in the summary text. */
export function methodLine(sources: readonly string[], model: string | undefined): string {
  const from = sources.length === 0 ? "the session's timing alone" : listOf(sources);
  return model === undefined ? `Made on this machine by extraction from ${from}; no language model was used.` : `Made on this machine by ${model} from ${from}.`;
}

/** Which inputs a summary could draw on. */
export function sourcesOf(context: TimelineContext): string[] {
  const out: string[] = [];
  if (context.screenshots.some((s) => s.activity.trim() !== "" || s.details.trim() !== "")) out.push("on-screen text");
  if (context.transcript.some((s) => s.text.trim() !== "")) out.push("the transcript");
  if (context.markers.length > 0) out.push("markers");
  return out;
}

/** Time per chapter title, largest first. */
function timeByTitle(chapters: readonly Chapter[]): [string, number][] {
  const time = new Map<string, number>();
  for (const c of chapters) time.set(c.title, (time.get(c.title) ?? 0) + Math.max(0, c.tEnd - c.tStart));
  return [...time].sort((a, b) => b[1] - a[1]);
}

export function localSummary(context: TimelineContext): SummaryOutput {
  const said = sentences(context.transcript);
  const counts = frequencies(said.map((s) => s.text));
  const score = (text: string) => {
    const list = words(text);
    return list.length === 0 ? 0 : list.reduce((sum, w) => sum + (counts.get(w) ?? 0), 0) / Math.sqrt(list.length);
  };
  const ranked = [...said].sort((a, b) => score(b.text) - score(a.text)).slice(0, 3).sort((a, b) => a.evidence.tStart - b.evidence.tStart);
  const chapters = context.chapters ?? [];
  const screen = fromScreen(context);

  const seen = new Set(screen.tasks.map((t) => normal(t.title)));
  const spokenTasks: Task[] = [];
  for (const s of said.filter((x) => TASK_PATTERN.test(x.text))) {
    const title = s.text.replace(/^(?:todo|to-do)[:\s-]*/i, "").slice(0, 500) || s.text.slice(0, 500);
    if (seen.has(normal(title))) continue;
    seen.add(normal(title));
    spokenTasks.push({ title, priority: HIGH.test(s.text) ? "high" : "medium", evidence: [s.evidence] });
  }
  const tasks = [...spokenTasks, ...screen.tasks].sort((a, b) => a.evidence[0]!.tStart - b.evidence[0]!.tStart).slice(0, 100);
  const notes = [
    ...context.markers.filter((m) => m.label.trim() !== "").map((m) => ({ text: m.label.slice(0, 4000), evidence: [{ tStart: m.t, tEnd: m.t, kind: "marker" as const, ref: m.ref }] })),
    ...said.filter((s) => NOTE_PATTERN.test(s.text)).slice(0, 20).map((s) => ({ text: s.text.slice(0, 4000), evidence: [s.evidence] })),
    ...screen.notes,
  ].slice(0, 100);

  const shotCount = context.screenshotTotal ?? context.screenshots.length;
  const facts = [countOf(shotCount, "screenshot")];
  if (context.markers.length > 0) facts.push(countOf(context.markers.length, "marker"));
  const text: string[] = [`${spokenDuration(context.durationMs)} of work with ${listOf(facts)}${chapters.length > 1 ? `, in ${countOf(chapters.length, "chapter")}` : ""}.`];
  const byTitle = timeByTitle(chapters).filter(([title]) => title !== "Whole session" && title !== "Unrecognised screen activity");
  if (byTitle.length > 0) {
    const top = byTitle.slice(0, 3).map(([title, ms]) => `${title.charAt(0).toLowerCase()}${title.slice(1)} (${spokenDuration(ms)})`);
    text.push(`Most time went to ${listOf(top)}.`);
  } else if (context.screenshots.length > 0 && sourcesOf(context).indexOf("on-screen text") < 0) {
    text.push("Nothing was recognised on screen.");
  }
  if (ranked.length > 0) text.push(`Said: ${ranked.map((s) => `“${s.text}”`).join(" ")}`);
  else text.push("No speech transcribed.");
  text.push(tasks.length === 0 ? "No tasks found." : `Found ${countOf(tasks.length, "task")}${notes.length > 0 ? ` and ${countOf(notes.length, "note")}` : ""}.`);
  text.push(methodLine(sourcesOf(context), undefined));

  const points =
    ranked.length > 0
      ? ranked.map((s) => ({ text: s.text.slice(0, 2000), evidence: [s.evidence] }))
      : chapters.slice(0, 12).map((c) => ({ text: `${c.title} — ${spokenDuration(c.tEnd - c.tStart)}`.slice(0, 2000), evidence: c.evidence }));
  const topics = topWords(counts, 4);
  const title = byTitle.length > 0 ? listOf(byTitle.slice(0, 2).map(([t]) => t)) : topics.length > 0 ? `Talking about ${listOf(topics)}` : context.sessionName;
  return {
    title: title.slice(0, 300),
    summary: text.join(" ").slice(0, 8000),
    points: points.filter((p) => p.text.length > 0),
    tasks,
    notes,
  };
}
