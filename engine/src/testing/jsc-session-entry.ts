/**
 * A recording session inside the real JavaScriptCore host (Scripts/jsc-host):
 * the real dist/engine.js, the platform-neutral simulated recorder writing
 * real PNG and WAV files through the native file port on real timers, and the
 * session lifecycle through `StintEngine.handle`, as the Mac app drives it.
 * Bundled and run by Scripts/test-suites/jsc-session.mjs; reports through `__done`.
 */
import type { HostPort } from "../host/host-port.ts";
import { decodePng } from "../image/index.ts";
import { createSimulatedRecorder } from "../simulated-recorder/index.ts";

interface StintEngineGlobal {
  start(host: HostPort): Promise<{ version: string }>;
  handle(message: unknown): Promise<{ result?: unknown; error?: { code: string; message: string } } | undefined>;
  subscribe(listener: (event: { method: string; params: unknown }) => void): () => void;
  stop(): Promise<void>;
}
declare const __stintHost: HostPort;
declare const __hostConfig: { readonly enginePath: string };
declare function __done(code: number, json: string): void;
declare function __loadScript(path: string): void;

type Outcome = { name: string; ok: boolean; error?: string };
const outcomes: Outcome[] = [];
const native = __stintHost;

function check(name: string, ok: boolean, detail?: unknown): void {
  outcomes.push({ name, ok, ...(ok ? {} : { error: typeof detail === "string" ? detail : JSON.stringify(detail) }) });
}

const sleep = (ms: number) => new Promise<void>((resolve) => native.timers.setTimeout(resolve, ms));
/** Waits for a condition the recorder's own progress makes true; the ceiling only catches a hang. */
async function waitFor(what: string, condition: () => boolean, ceilingMs = 30_000): Promise<void> {
  const deadline = native.clock.elapsed() + ceilingMs;
  while (!condition()) {
    if (native.clock.elapsed() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function main(): Promise<void> {
  __loadScript(__hostConfig.enginePath);
  const engine = (globalThis as { StintEngine?: StintEngineGlobal }).StintEngine!;
  let nextId = 1;
  const call = async <T>(method: string, params: unknown = {}): Promise<{ result?: T; error?: { code: string; message: string } }> =>
    ((await engine.handle({ v: 1, id: nextId++, method, params })) ?? {}) as { result?: T; error?: { code: string; message: string } };
  const recorder = createSimulatedRecorder(native, { width: 96, height: 60, deliver: (message) => engine.handle(message) });
  // The native host hashes natively; claim otherwise so the engine's own digest check runs here too.
  const host: HostPort = {
    info: { ...native.info, nativeHash: false },
    clock: native.clock,
    timers: native.timers,
    files: native.files,
    crypto: native.crypto,
    http: native.http,
    secrets: native.secrets,
    log: native.log,
    emit: (event) => native.emit(event),
    recorder,
  };
  const events: { method: string; params: unknown }[] = [];
  engine.subscribe((event) => void events.push(event));
  await engine.start(host);

  // Each call is bracketed by clock readings, so the session-time check holds however slow the machine is.
  const now = () => native.clock.elapsed();
  const startedFrom = now();
  const started = await call<{ state: string; sessionId: string }>("session.start", {
    name: "JSC session",
    screenshots: { enabled: true, intervalMs: 250 },
    audio: { microphone: true, systemAudio: false, balance: 0.5, segmentMs: 1000 },
  });
  check("session.start reaches active", started.result?.state === "active", started);
  const sessionId = started.result?.sessionId ?? "";
  const startedTo = now();
  await waitFor("8 screenshots and 3 audio segments", () => recorder.stats.screenshots >= 8 && recorder.stats.audioSegments >= 3);
  const pausedFrom = now();
  const paused = await call<{ state: string }>("session.pause");
  const pausedTo = now();
  check("session.pause reaches paused", paused.result?.state === "paused", paused);
  const before = recorder.stats.screenshots;
  await sleep(800);
  check("no screenshots are taken while paused", recorder.stats.screenshots === before, { before, after: recorder.stats.screenshots });
  const wrong = await call("session.pause");
  check("pausing twice is session.invalid_transition with the state", wrong.error?.code === "session.invalid_transition", wrong);
  const resumedFrom = now();
  await call("session.resume");
  const resumedTo = now();
  recorder.faults.corruptNext("screenshots");
  const afterResume = recorder.stats.screenshots;
  await waitFor("the corrupted screenshot to be rejected and two more taken", () => recorder.stats.lastRejection !== undefined && recorder.stats.screenshots >= afterResume + 3);
  const markFrom = now();
  const marker = await call<{ marker: { sessionTimeMs: number } }>("session.mark", { note: "in JSC" });
  const markTo = now();
  // Active time is (pause − start) + (mark − resume): the shortest and longest it can be, given the brackets.
  const least = pausedFrom - startedTo + (markFrom - resumedTo);
  const most = pausedTo - startedFrom + (markTo - resumedFrom);
  const markedAt = marker.result?.marker.sessionTimeMs ?? -1;
  check("session.mark records session time without the pause", markedAt >= least - 2 && markedAt <= most + 2, { marker, least, most });
  const ended = await call<{ status: string; integrity: { sources: { screenshots: { items: number; duplicates: number; dropped: number }; audio: { items: number } } } }>("session.end");
  check("session.end completes with an integrity report", ended.result?.status === "completed", ended);
  const sources = ended.result?.integrity.sources;
  check("screenshots were captured and dedup marked duplicates", (sources?.screenshots.items ?? 0) >= 8 && (sources?.screenshots.duplicates ?? 0) > 0, sources);
  check("audio segments were captured", (sources?.audio.items ?? 0) >= 3, sources);
  check("the corrupted file was rejected and counted as dropped", recorder.stats.lastRejection === "recording.hash_mismatch" && sources?.screenshots.dropped === 1, { stats: recorder.stats, sources });
  const got = await call<{ session: { status: string; activeDurationMs: number } }>("session.get", { sessionId });
  check("the stored session is completed with its session time", got.result?.session.status === "completed" && (got.result?.session.activeDurationMs ?? 0) >= least, got);
  const states = events.filter((e) => e.method === "session.state").map((e) => (e.params as { state: string }).state);
  check("session.state events follow the machine", states.filter((state, i) => i > 0 || state !== "idle").join(",") === "validating,checking_permissions,starting,active,pausing,paused,resuming,active,ending,completed", states);
  const blobs = await native.files.list("attachments/blobs");
  const pngName = [];
  for (const name of blobs) {
    const bytes = await native.files.read(`attachments/blobs/${name}`);
    if (bytes[0] === 137 && bytes[1] === 80) {
      pngName.push(name);
      const image = decodePng(bytes);
      check("a stored screenshot decodes as a PNG inside JSC", image.width === 96 && image.height === 60, { width: image.width, height: image.height });
      break;
    }
  }
  check("screenshots were adopted into content-addressed blobs", pngName.length === 1, blobs.slice(0, 5));
  await engine.stop();
}

main().then(
  () => {
    const failed = outcomes.filter((outcome) => !outcome.ok).length;
    __done(failed === 0 ? 0 : 1, JSON.stringify({ outcomes }));
  },
  (error: unknown) => {
    __done(1, JSON.stringify({ outcomes, fatal: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error) }));
  },
);
