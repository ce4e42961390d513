/**
 * What the simulated screen shows in each scene: an application, a window
 * title and the text inside the window, cycled through a small working day
 * (editing code, a call, a code review, a terminal, mail, notes). Known
 * text, so OCR, redaction, search and the local summary have something true
 * to find, and tests have an answer to check against. Now and then the
 * terminal shows a fake API key, for redaction to black out.
 */

export interface SceneContent {
  /** Short activity name, as a person would title a chapter about it. */
  readonly activity: string;
  readonly application: string;
  readonly windowTitle: string;
  /** Lines of text inside the window, top to bottom. */
  readonly lines: readonly string[];
  /** The fake secret shown in this scene, if any (also one of `lines`). */
  readonly secret?: string;
  /** True for a light window (dark text), false for a dark one. */
  readonly light: boolean;
}

interface Activity {
  readonly activity: string;
  readonly application: string;
  readonly windowTitle: string;
  readonly light: boolean;
  readonly lines: readonly string[];
}

/** The activities, in the order a scene cycle shows them. */
export const ACTIVITIES: readonly Activity[] = [
  {
    activity: "Editing auth middleware",
    application: "Visual Studio Code",
    windowTitle: "auth.ts - Visual Studio Code",
    light: false,
    lines: [
      "export function verifySession(token: string) {",
      "  const session = sessions.get(token);",
      "  if (!session) throw new AuthError(401);",
      "  // TODO: rotate the signing key monthly",
      "  return session.user;",
      "}",
    ],
  },
  {
    activity: "Sprint planning call",
    application: "Zoom",
    windowTitle: "Sprint planning - Zoom Meeting",
    light: true,
    lines: ["Agenda: sprint planning", "1. Review last sprint velocity", "2. Onboarding screens redesign", "3. Rate limiter rollout", "Participants: Ana, Ben, Chloe"],
  },
  {
    activity: "Reviewing the rate limiter pull request",
    application: "Safari",
    windowTitle: "Fix rate limiter - Pull Request 42 - GitHub",
    light: true,
    lines: ["Fix rate limiter burst handling", "Changes requested by Ben", "limiter.ts: use a sliding window", "Tests: 42 passed, 0 failed", "Approve and merge after review"],
  },
  {
    activity: "Running tests in the terminal",
    application: "Terminal",
    windowTitle: "zsh - npm test",
    light: false,
    lines: ["$ npm test", "> vitest run", "auth.test.ts  12 passed", "limiter.test.ts  30 passed", "Test Files  2 passed"],
  },
  {
    activity: "Answering mail about the invoice",
    application: "Mail",
    windowTitle: "Inbox - Mail",
    light: true,
    lines: ["From: Acme Billing", "Subject: Invoice for November", "Please send the signed invoice", "by Friday. Thanks!"],
  },
  {
    activity: "Writing notes",
    application: "Notes",
    windowTitle: "notes.md - Notes",
    light: true,
    lines: ["Notes", "Decided: ship the limiter on Monday", "TODO: follow up with the design team", "TODO: send the invoice on Friday", "Cache eviction is too aggressive"],
  },
];

function fakeSecret(seed: number): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  let state = (seed * 2654435761) >>> 0 || 5;
  let out = "";
  for (let i = 0; i < 32; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out += alphabet[(state >>> 0) % alphabet.length];
  }
  return `sk-test-${out}`;
}

/** What scene `scene` shows (deterministic). */
export function sceneContent(scene: number): SceneContent {
  const activity = ACTIVITIES[scene % ACTIVITIES.length]!;
  const cycle = Math.floor(scene / ACTIVITIES.length);
  // Every other pass through the terminal, a key was pasted where it should not have been.
  if (activity.application === "Terminal" && cycle % 2 === 0) {
    const secret = fakeSecret(scene + 1);
    return { ...activity, lines: [`$ export OPENAI_API_KEY=${secret}`, ...activity.lines], secret };
  }
  return activity;
}
