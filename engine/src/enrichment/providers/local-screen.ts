/**
 * Reading a screenshot's recognised text the way a person glances at a
 * screen: the menu bar names the application, a title line names the
 * document or page, the rest is what was being worked on. Pure functions
 * over OCR lines, so they are tested without an OCR engine.
 */
import type { OcrLine } from "../../host/index.ts";
import type { ScreenshotAnalysisItem } from "./schemas.ts";

/** What the local provider understood of one screen. */
export interface ScreenReading {
  readonly application: string;
  /** The document, page or conversation in front (from the window title). */
  readonly subject: string;
  /** "Editing auth.ts in Visual Studio Code": what a chapter title is made of. */
  readonly activity: string;
  /** The remaining readable lines. */
  readonly body: readonly string[];
}

const MENU_WORDS = /\b(?:File|Edit|View|Window|Help|Go|History|Bookmarks|Format|Tools)\b/;
const TITLE_SEPARATOR = /\s+[-–—|]\s+/;

/** Kinds of application, by name, to choose a verb. */
const KINDS: readonly { readonly pattern: RegExp; readonly kind: "code" | "call" | "browser" | "terminal" | "mail" | "notes" | "chat" | "design" | "docs" }[] = [
  { pattern: /visual studio code|vs ?code|xcode|intellij|webstorm|pycharm|sublime|vim|neovim|emacs|cursor|zed|nova/i, kind: "code" },
  { pattern: /zoom|meet|teams|facetime|webex|huddle|call/i, kind: "call" },
  { pattern: /safari|chrome|firefox|arc|edge|brave|github|gitlab/i, kind: "browser" },
  { pattern: /terminal|iterm|warp|zsh|bash|fish|ghostty|kitty/i, kind: "terminal" },
  { pattern: /mail|outlook|gmail|inbox|spark/i, kind: "mail" },
  { pattern: /notes|notion|obsidian|bear|evernote|\.md\b/i, kind: "notes" },
  { pattern: /slack|discord|messages|telegram|whatsapp/i, kind: "chat" },
  { pattern: /figma|sketch|photoshop|illustrator|keynote/i, kind: "design" },
  { pattern: /pages|word|docs|google docs|numbers|excel|sheets/i, kind: "docs" },
];

/** Values that look like keys or passwords: never kept in text the review stores. */
const SECRET_VALUE = /\b(?:sk|pk|rk|ghp|xox[bp])[-_—–][A-Za-z0-9_\-—–]{10,}|(?<=(?:key|secret|token|password)\s*[=:]\s*)\S{8,}|\b[A-Za-z0-9_\-]{32,}\b/gi;

function clean(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(SECRET_VALUE, "[secret]");
}

/** Human name for a tool, shortened where people shorten it. */
function shortApp(name: string): string {
  return /^visual studio code$/i.test(name) ? "VS Code" : name;
}

export function applicationKind(application: string, title = ""): (typeof KINDS)[number]["kind"] | undefined {
  return KINDS.find((k) => k.pattern.test(application))?.kind ?? KINDS.find((k) => k.pattern.test(title))?.kind;
}

/** "Editing auth.ts in VS Code", "Call: Sprint planning", "Terminal: npm test". */
export function describeActivity(application: string, subject: string): string {
  const app = shortApp(application);
  const kind = applicationKind(application, subject);
  if (subject === "") return app === "" ? "" : `Working in ${app}`;
  if (app === "" || subject.toLowerCase() === app.toLowerCase()) return subject;
  switch (kind) {
    case "code":
      return `Editing ${subject} in ${app}`;
    case "call":
      return `Call: ${subject}`;
    case "terminal":
      return `${app}: ${subject}`;
    case "mail":
      return `Mail: ${subject}`;
    case "notes":
      return `Writing ${subject} in ${app}`;
    case "browser":
      return /pull request|merge request|\bPR\b/i.test(subject) ? `Reviewing ${subject} in ${app}` : `Reading ${subject} in ${app}`;
    case "chat":
      return `Chatting in ${app}: ${subject}`;
    default:
      return `${subject} in ${app}`;
  }
}

/** Reads OCR lines (top to bottom) into application, subject and body. */
export function readScreen(lines: readonly OcrLine[]): ScreenReading {
  const sorted = [...lines].filter((l) => clean(l.text) !== "").sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
  let application = "";
  let rest = sorted;
  // A menu bar: the topmost line, naming the application before its menus.
  const top = sorted[0];
  if (top !== undefined && MENU_WORDS.test(top.text)) {
    application = clean(top.text.split(MENU_WORDS)[0] ?? "");
    rest = sorted.slice(1);
  }
  // The window title: the first line near the top that splits into "subject - app" parts.
  let subject = "";
  const titleIndex = rest.slice(0, 4).findIndex((l) => TITLE_SEPARATOR.test(l.text));
  if (titleIndex >= 0) {
    const parts = rest[titleIndex]!.text.split(TITLE_SEPARATOR).map(clean).filter((p) => p !== "");
    subject = parts[0] ?? "";
    if (application === "" && parts.length > 1) application = parts[parts.length - 1]!;
    rest = rest.filter((_, i) => i !== titleIndex);
  }
  const body = rest.map((l) => clean(l.text)).filter((t) => /[A-Za-z]{3}/.test(t));
  if (subject === "") subject = body.find((t) => !t.includes("[secret]"))?.slice(0, 80) ?? "";
  return { application: application.slice(0, 120), subject: subject.slice(0, 120), activity: describeActivity(application, subject).slice(0, 300), body };
}

/** The analysis item the review stores for a screenshot. */
export function screenAnalysis(ref: string, reading: ScreenReading): ScreenshotAnalysisItem {
  const details = reading.body.join("\n");
  return { ref, activity: reading.activity, application: reading.application, details: details.slice(0, 2000) };
}
