// Review panel benchmarks in Chromium against the dev host's demo library,
// each run in a fresh browser profile. Every contender runs the same number
// of times in a rotated order; each figure is the median of the runs.
//
// Workload:
// - ui.timeline_fps / ui.timeline_long_frames: a 10,000-item timeline, once
//   fully loaded, scrolled top to bottom by script in 600 frames.
// - ui.first_paint_8h_ms / ui.heap_8h_mb: navigation to the first painted
//   timeline row of the 8-hour demo session, and the JS heap after it.
// - ui.popover_open_ms: the panel at popover size until its list of 200
//   sessions is painted.
// Peers: `unvirtualized`, the same timeline with every row rendered
// (`?timeline=all`), loading its pages exactly as the product does; and
// `idle_page`, a bare page of the same origin (the machine's own floor).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, ensureBuilt, startServer } from "../test-suites/browser/support.mjs";
import { figure, median, rounds } from "./_stats.mjs";

async function withContext(fn) {
  const dir = mkdtempSync(join(tmpdir(), "stint-bench-ui-"));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
  try {
    return await fn(context.pages()[0] ?? (await context.newPage()), context);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Scrolls the timeline from top to bottom in fixed steps, one per frame; returns frame times. */
async function scrollRun(url) {
  return withContext(async (page) => {
    await page.goto(url);
    await page.waitForSelector("[data-testid=timeline] .row", { timeout: 120_000 });
    await page.waitForFunction(() => performance.getEntriesByName("stint:timeline-complete").length > 0, undefined, { timeout: 120_000 });
    await page.waitForTimeout(300);
    return page.evaluate(
      () =>
        new Promise((resolve) => {
          const el = document.querySelector("[data-testid=timeline]");
          const frames = 600;
          const step = (el.scrollHeight - el.clientHeight) / frames;
          const deltas = [];
          let last = performance.now();
          let n = 0;
          const started = last;
          const tick = (now) => {
            deltas.push(now - last);
            last = now;
            el.scrollTop = Math.min(el.scrollHeight, (n + 1) * step);
            n++;
            if (n < frames && now - started < 60_000) requestAnimationFrame(tick);
            else resolve({ deltas: deltas.slice(1), reached: el.scrollTop + el.clientHeight >= el.scrollHeight - 2, rows: el.querySelectorAll(".row").length });
          };
          requestAnimationFrame(tick);
        }),
    );
  });
}

/** The same number of frames with nothing to do: how much of the jank is the machine's own. */
async function idleRun(url) {
  return withContext(async (page) => {
    await page.goto(url);
    await page.waitForSelector("[data-testid=timeline] .row", { timeout: 120_000 });
    await page.waitForTimeout(300);
    return page.evaluate(
      () =>
        new Promise((resolve) => {
          const deltas = [];
          let last = performance.now();
          let n = 0;
          const tick = (now) => {
            deltas.push(now - last);
            last = now;
            if (++n < 600) requestAnimationFrame(tick);
            else resolve({ deltas: deltas.slice(1) });
          };
          requestAnimationFrame(tick);
        }),
    );
  });
}

function fpsFrom(deltas) {
  // Frames per second in each second of the scroll, then the median of those.
  const perSecond = [];
  let bucket = 0;
  let count = 0;
  for (const d of deltas) {
    bucket += d;
    count++;
    if (bucket >= 1000) {
      perSecond.push((count * 1000) / bucket);
      bucket = 0;
      count = 0;
    }
  }
  if (perSecond.length === 0 && count > 0) perSecond.push((count * 1000) / bucket);
  return median(perSecond);
}

/** Navigation to the first painted timeline frame, and the JS heap after the open, in a fresh browser profile. */
async function coldOpen(url) {
  return withContext(async (page) => {
    const cdp = await page.context().newCDPSession(page);
    await page.goto(url);
    await page.waitForFunction(() => performance.getEntriesByName("stint:timeline-painted").length > 0, undefined, { timeout: 120_000 });
    // The paint time Chromium reports for the first row's text (Element Timing); the panel's own mark if none.
    const paint = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const fallback = () => resolve(performance.getEntriesByName("stint:timeline-painted")[0].startTime);
          const timer = setTimeout(fallback, 2_000);
          new PerformanceObserver((list) => {
            const entry = list.getEntries().find((e) => e.identifier === "timeline-row");
            if (entry) {
              clearTimeout(timer);
              resolve(entry.renderTime || entry.loadTime);
            }
          }).observe({ type: "element", buffered: true });
        }),
    );
    await page.waitForTimeout(500);
    await cdp.send("HeapProfiler.collectGarbage");
    const heap = await cdp.send("Runtime.getHeapUsage");
    return { paint, heapMb: heap.usedSize / 2 ** 20 };
  });
}

/** First contentful paint of a bare page from the same origin: the machine's and browser's own floor. */
async function idleFirstPaint(server) {
  return withContext(async (page) => {
    await page.route(`${server.base}/__idle.html`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><p>idle</p>" }));
    await page.goto(`${server.base}/__idle.html`);
    return page.evaluate(() => new Promise((resolve) => new PerformanceObserver((list, observer) => { observer.disconnect(); resolve(list.getEntries()[0].startTime); }).observe({ type: "paint", buffered: true })));
  });
}

/**
 * The panel shown at popover size (380×600) until its list of 200 sessions is painted.
 * The 200 rows come from the demo's own rows repeated with new ids (review.list answered in
 * the page's network layer), so this measures the panel's paint, not a stored library's read.
 */
async function popoverOpen(server) {
  return withContext(async (page) => {
    await page.setViewportSize({ width: 380, height: 600 });
    const demo = await (await fetch(`${server.base}/bridge`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${server.token}` }, body: JSON.stringify({ v: 1, id: 1, method: "review.list", params: {} }) })).json();
    const base = demo.result.sessions;
    const sessions = Array.from({ length: 200 }, (_, n) => ({ ...base[n % base.length], id: `bench-${n}`, name: `${base[n % base.length].name} ${n}`, startedAt: base[0].startedAt - n * 3_600_000 }));
    await page.route(`${server.base}/bridge`, async (route) => {
      const body = JSON.parse(route.request().postData() ?? "{}");
      if (body.method !== "review.list") return route.continue();
      return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ v: 1, id: body.id, result: { library: "demo", sessions } }) });
    });
    await page.route(`${server.base}/__idle.html`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><p>idle</p>" }));
    await page.goto(`${server.base}/__idle.html`);
    const idle = await page.evaluate(() => new Promise((resolve) => new PerformanceObserver((list, observer) => { observer.disconnect(); resolve(list.getEntries()[0].startTime); }).observe({ type: "paint", buffered: true })));
    await page.goto(server.url);
    await page.waitForFunction(() => performance.getEntriesByName("stint:list-painted").length > 0, undefined, { timeout: 60_000 });
    const panel = await page.evaluate(() => performance.getEntriesByName("stint:list-painted")[0].startTime);
    const rows = await page.$$eval(".session-row", (els) => els.length);
    if (rows !== 200) throw new Error(`expected 200 rows, painted ${rows}`);
    return { panel, idle };
  });
}

/** Runs every contender `runs` times itself. */
export const takesRuns = true;

export default async function uiBench({ runs }) {
  ensureBuilt();
  const server = await startServer({ demo: true });
  try {
    const stress = `${server.url}#/session/demo-stress/timeline`;
    const stressAll = `${server.url}&timeline=all#/session/demo-stress/timeline`;
    const long = `${server.url}#/session/demo-long-day/timeline`;
    const longAll = `${server.url}&timeline=all#/session/demo-long-day/timeline`;
    // Warm the dev host's demo generator so the cold runs measure the browser, not the first generation.
    await withContext(async (page) => {
      await page.goto(long);
      await page.waitForSelector("[data-testid=timeline] .row", { timeout: 120_000 });
    });
    const longFrames = (deltas) => deltas.filter((d) => d > 32).length;
    const scroll = await rounds(runs, { stint: () => scrollRun(stress), unvirtualized: () => scrollRun(stressAll), idle_page: () => idleRun(stress) });
    const open = await rounds(runs, { stint: () => coldOpen(long), unvirtualized: () => coldOpen(longAll), idle_page: () => idleFirstPaint(server) });
    const popover = await rounds(runs, { stint: () => popoverOpen(server) });
    const fps = (list) => list.map((r) => fpsFrom(r.deltas));
    const longOf = (list) => list.map((r) => longFrames(r.deltas));
    return [
      figure({ name: "ui.timeline_fps", unit: "fps", better: "higher", samples: fps(scroll.stint), peers: { unvirtualized: fps(scroll.unvirtualized), idle_page: fps(scroll.idle_page) }, goal: 58 }),
      figure({ name: "ui.timeline_long_frames", unit: "frames", better: "lower", samples: longOf(scroll.stint), peers: { unvirtualized: longOf(scroll.unvirtualized), idle_page: longOf(scroll.idle_page) }, goal: 0 }),
      figure({ name: "ui.first_paint_8h_ms", unit: "ms", better: "lower", samples: open.stint.map((o) => o.paint), peers: { unvirtualized: open.unvirtualized.map((o) => o.paint), idle_page: open.idle_page }, goal: 300 }),
      figure({ name: "ui.popover_open_ms", unit: "ms", better: "lower", samples: popover.stint.map((p) => p.panel), peers: { idle_page: popover.stint.map((p) => p.idle) }, goal: 150 }),
      figure({ name: "ui.heap_8h_mb", unit: "MB", better: "lower", samples: open.stint.map((o) => o.heapMb), peers: { unvirtualized: open.unvirtualized.map((o) => o.heapMb) }, goal: 60 }),
    ];
  } finally {
    await server.stop();
  }
}
