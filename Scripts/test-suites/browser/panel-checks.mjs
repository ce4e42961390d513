// The review panel as a popover and as a window: layout at three sizes, library management,
// corrections, the timeline's runs and filters, focus, live changes, a keyboard-only walkthrough (Chromium).
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assert, root, waitFor } from "./support.mjs";

const SIZES = [
  [380, 600],
  [480, 700],
  [1280, 800],
];
const shots = join(root, "docs/screenshots");

/** Gross layout checks: nothing wider than the window, the page itself never scrolls, a one-line header. */
async function layoutOf(page) {
  return page.evaluate(() => {
    const d = document.documentElement;
    const box = (css) => document.querySelector(css)?.getBoundingClientRect();
    const wide = [...document.querySelectorAll("main *")].filter((el) => el.getBoundingClientRect().right > innerWidth + 1 && !el.closest(".timeline-window, .filter-bar, .menu-items, .session-meta, .player-status")).length;
    // The search box's hint fits it: the placeholder's text width, measured in the box's own font, against its content box.
    const search = document.querySelector("[data-testid=search]");
    let hintClipped = 0;
    if (search !== null) {
      const style = getComputedStyle(search);
      const context = document.createElement("canvas").getContext("2d");
      context.font = style.font;
      const room = search.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      hintClipped = Math.max(0, Math.ceil(context.measureText(search.placeholder).width - room));
      // So do the filters' chosen options, with room for the drop-down arrow.
      for (const select of document.querySelectorAll(".filters select")) {
        const box = getComputedStyle(select);
        context.font = box.font;
        const label = select.selectedOptions[0]?.textContent ?? "";
        const space = select.clientWidth - parseFloat(box.paddingLeft) - parseFloat(box.paddingRight) - 16;
        hintClipped = Math.max(hintClipped, Math.ceil(context.measureText(label).width - space));
      }
    }
    return { hintClipped, overflowX: d.scrollWidth - innerWidth, pageScroll: d.scrollHeight - innerHeight, header: box(".topbar")?.height ?? 0, wide, row: box(".session-row")?.height, tabsBottom: box(".tabs")?.bottom, h: innerHeight };
  });
}

async function call(server, method, params) {
  const response = await fetch(`${server.base}/bridge`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${server.token}` }, body: JSON.stringify({ v: 1, id: 1, method, params }) });
  return response.json();
}

async function toast(page, text) {
  await waitFor(() => page.$$eval("[data-testid=toast]", (els, want) => els.some((e) => e.textContent?.includes(want)), text), { what: `a toast saying ${text}` });
}

/** Presses Tab (or Shift+Tab) until `selector` has focus. */
async function tabTo(page, selector, { back = false, max = 60 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((css) => document.activeElement?.matches(css) ?? false, selector)) return;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  throw new Error(`Tab did not reach ${selector}`);
}

export async function panelChecks({ run, page, server, recordServer }) {
  mkdirSync(shots, { recursive: true });

  await run.check("layout at 380×600, 480×700 and 1280×800, light and dark: one-line header, compact rows, one scroll area", async () => {
    const notes = [];
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [width, height] of SIZES) {
        await page.setViewportSize({ width, height });
        await page.goto(server.url);
        await page.waitForSelector(".session-row");
        const list = await layoutOf(page);
        assert(list.overflowX <= 0 && list.pageScroll <= 0 && list.wide === 0, `list at ${width}×${height} overflows: ${JSON.stringify(list)}`);
        assert(list.header <= 48 && list.row <= 60, `list at ${width}×${height}: header ${list.header} px, rows ${list.row} px`);
        assert(list.hintClipped === 0, `list at ${width}×${height}: the search box or a filter cuts ${list.hintClipped} px off its text`);
        await page.screenshot({ path: join(shots, `panel-list-${width}x${height}-${scheme}.png`) });
        await page.goto(`${server.url}#/session/demo-parser`);
        await page.click("[data-testid=tab-timeline]", { timeout: 10_000 });
        await page.waitForSelector("[data-testid=timeline] .row");
        await page.waitForTimeout(300);
        const detail = await layoutOf(page);
        assert(detail.overflowX <= 0 && detail.pageScroll <= 0 && detail.wide === 0, `detail at ${width}×${height} overflows: ${JSON.stringify(detail)}`);
        assert(detail.header <= 48 && detail.tabsBottom < height * 0.75, `detail at ${width}×${height}: the tabs start at ${detail.tabsBottom} px`);
        await page.screenshot({ path: join(shots, `panel-timeline-${width}x${height}-${scheme}.png`) });
        if (width === 380) {
          await page.click("[data-testid=tab-summary]");
          await page.screenshot({ path: join(shots, `panel-summary-${width}x${height}-${scheme}.png`) });
        }
        notes.push(`${width}×${height} ${scheme}`);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 380, height: 600 });
    return `${notes.length} sizes × schemes checked, screenshots in docs/screenshots`;
  });

  await run.check("timeline: runs of unchanged screenshots fold into one row and expand; the filter shows one kind", async () => {
    await page.goto(`${server.url}#/session/demo-parser`);
    await page.click("[data-testid=tab-timeline]", { timeout: 10_000 });
    const run0 = page.locator("[data-testid=unchanged-run]").first();
    const text = await run0.textContent();
    assert(/\d+ unchanged, \d+:\d\d–\d+:\d\d/.test(text ?? ""), `a folded run reads like "3 unchanged, 0:05–0:15": ${text}`);
    const before = Number(await page.getAttribute("[data-testid=timeline] .row", "aria-setsize"));
    await run0.click();
    await waitFor(async () => Number(await page.getAttribute("[data-testid=timeline] .row", "aria-setsize")) > before, { what: "the run to expand" });
    await page.click("[data-filter=chapters]");
    await waitFor(() => page.$$eval("[data-testid=timeline] .row", (els) => els.length > 0 && els.every((e) => e.classList.contains("row-chapter"))), { what: "only chapter rows" });
    await page.click("[data-filter=chapters]");
    const chapters = await page.$$eval("[data-testid=chapter-ticks] .tick", (els) => els.length);
    assert(chapters === 5, `five chapter ticks on the scrubber, got ${chapters}`);
    const box = await page.$eval("[data-testid=scrubber]", (el) => { const r = el.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; });
    await page.mouse.move(box.x, box.y);
    await page.waitForSelector("[data-testid=scrub-preview] img", { timeout: 5_000 });
    return `${before} rows folded; expanded; filter and hover preview work`;
  });

  await run.check("the 8-hour session lists every chapter, whatever the timeline has loaded", async () => {
    await page.goto(`${server.url}#/session/demo-long-day`);
    await page.waitForSelector("[data-testid=chapters] li", { timeout: 10_000 });
    const count = await page.$$eval("[data-testid=chapters] li", (els) => els.length);
    assert(count === 12, `12 chapters expected, got ${count}`);
  });

  await run.check("library: rename, tag, filter by tag, delete with confirmation and Undo; Back returns focus to the row", async () => {
    await page.goto(`${server.url}#/session/demo-budget`);
    await page.click("[data-testid=session-menu] summary", { timeout: 10_000 });
    await page.click("[data-testid=rename]");
    await page.fill("[data-testid=edit-field]", "Deep work");
    await page.keyboard.press("Enter");
    await waitFor(async () => (await page.textContent("#detail-title")) === "Deep work", { what: "the new name" });
    await page.click("[data-testid=add-tag]");
    await page.fill("[data-testid=edit-field]", "#focus");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=tags] .tag:has-text('#focus')");
    await page.click("[data-testid=back]");
    await waitFor(() => page.evaluate(() => document.activeElement?.getAttribute("data-session-id") === "demo-budget"), { what: "focus back on the row" });
    await page.fill("[data-testid=search]", "#focus");
    await waitFor(async () => (await page.$$eval(".session-row .session-name", (els) => els.map((e) => e.textContent))).join() === "Deep work", { what: "the tag filter" });
    await page.fill("[data-testid=search]", "");
    await page.click("[data-session-id=demo-budget]");
    await page.click("[data-testid=session-menu] summary", { timeout: 10_000 });
    await page.click("[data-testid=delete]");
    await page.click("[data-testid=confirm-delete-yes]");
    await page.waitForSelector("[data-testid=session-list]");
    await toast(page, "Deleted “Deep work”");
    await waitFor(async () => (await page.$("[data-session-id=demo-budget]")) === null, { what: "the row to go" });
    await page.click("[data-testid=toast-action]");
    await page.waitForSelector("[data-session-id=demo-budget]", { timeout: 10_000 });
    // Multi-select delete, then undo.
    await page.check("li:has([data-session-id=demo-design]) .row-select");
    await page.check("li:has([data-session-id=demo-crash]) .row-select");
    await page.click("[data-testid=delete-selected]");
    await toast(page, "Deleted 2 sessions");
    await waitFor(async () => (await page.$("[data-session-id=demo-design]")) === null && (await page.$("[data-session-id=demo-crash]")) === null, { what: "both rows to go" });
    await page.locator("[data-testid=toast-action]").last().click();
    await page.waitForSelector("[data-session-id=demo-crash]", { timeout: 10_000 });
  });

  await run.check("correct the AI: edit the summary, tick, add and delete tasks; the export has the edits", async () => {
    await page.goto(`${server.url}#/session/demo-standup`);
    await page.click("[data-testid=edit-summary]", { timeout: 10_000 });
    await page.fill("[data-testid=edit-field]", "We agreed to ship on Friday.");
    await page.click("[data-testid=summary] button[type=submit]");
    await waitFor(async () => (await page.textContent("[data-testid=summary-text]")) === "We agreed to ship on Friday.", { what: "the edited summary" });
    await page.locator("[data-testid=tasks] input[type=checkbox]").first().check();
    await page.click("[data-testid=add-task]");
    await page.fill("[data-testid=edit-field]", "Book the retro");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=tasks] li:has-text('Book the retro')");
    const first = await page.locator("[data-testid=tasks] li .item-text").nth(1).textContent();
    await page.locator("[data-testid=tasks] li").nth(1).locator("button:has-text('Delete')").click();
    await waitFor(async () => !(await page.locator("[data-testid=tasks]").textContent()).includes(first.replace(/edited|yours/g, "").trim()), { what: "the task to go" });
    await page.click("[data-testid=session-menu] summary");
    const [md] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-md]")]);
    const text = readFileSync(await md.path(), "utf8");
    assert(text.includes("We agreed to ship on Friday.") && text.includes("- [ ] Book the retro") && /- \[x\]/.test(text), "the export carries the edits");
  });

  await run.check("live: a change made by another client appears in the list and in the open session", async () => {
    await page.goto(`${server.url}#/session/demo-parser`);
    await page.waitForSelector("#detail-title");
    const renamed = await call(server, "review.rename", { id: "demo-parser", name: "Parser refactor, renamed elsewhere" });
    assert(renamed.result !== undefined, `the bridge answered ${JSON.stringify(renamed)}`);
    await waitFor(async () => (await page.textContent("#detail-title")) === "Parser refactor, renamed elsewhere", { what: "the open session to follow" });
    await page.click("[data-testid=back]");
    await page.waitForSelector("[data-session-id=demo-parser]:has-text('renamed elsewhere')", { timeout: 10_000 });
    await call(server, "review.delete", { ids: ["demo-stress"], undoMs: 60_000 });
    await waitFor(async () => (await page.$("[data-session-id=demo-stress]")) === null, { what: "the list to follow a delete" });
    await call(server, "review.undoDelete", { ids: ["demo-stress"] });
    await page.waitForSelector("[data-session-id=demo-stress]", { timeout: 10_000 });
  });

  if (recordServer === undefined) return;
  await run.check("keyboard only: record → mark → end → review → edit → export → delete → undo", async () => {
    await page.setViewportSize({ width: 380, height: 600 });
    await page.goto(recordServer.url);
    await page.waitForSelector("[data-testid=rec-start]:not([disabled])", { timeout: 10_000 });
    await page.keyboard.press("r");
    await page.waitForSelector("[data-testid=recording-controls][data-phase=recording]", { timeout: 20_000 });
    await waitFor(async () => (await page.textContent("[data-testid=elapsed]")) !== "0:00", { what: "elapsed time" });
    await page.keyboard.press("m");
    await page.waitForSelector("[data-testid=marker-name] input:focus", { timeout: 10_000 });
    await page.keyboard.type("Keyboard mark");
    await page.keyboard.press("Enter");
    await toast(page, "Keyboard mark");
    await page.keyboard.press("e");
    await page.waitForSelector("[data-testid=processing]", { timeout: 20_000 });
    await waitFor(() => page.$("[data-testid=no-enrichment], [data-stage=enrich][data-status=completed]"), { what: "processing to finish", timeoutMs: 90_000 });
    await waitFor(async () => / is ready$/.test((await page.textContent("#processing-title")) ?? ""), { what: "the finished heading" });
    await tabTo(page, "[data-testid=open-processed]");
    await page.keyboard.press("Enter");
    await waitFor(() => page.evaluate(() => document.activeElement?.id === "detail-title"), { what: "focus on the session's heading" });
    await tabTo(page, "[data-testid=edit-summary]");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("Typed by keyboard.");
    await page.keyboard.press("Control+Enter");
    await waitFor(async () => (await page.textContent("[data-testid=summary-text]")) === "Typed by keyboard.", { what: "the summary edit" });
    await tabTo(page, "[data-testid=session-menu] summary", { back: true });
    await page.keyboard.press("Enter");
    await tabTo(page, "[data-testid=export-md]");
    const [md] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    assert(readFileSync(await md.path(), "utf8").includes("Typed by keyboard."), "the export has the edit");
    await tabTo(page, "[data-testid=delete]");
    await page.keyboard.press("Enter");
    await waitFor(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid") === "confirm-delete-yes"), { what: "focus on the confirmation" });
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=session-list], [data-testid=first-run]", { timeout: 10_000 });
    await tabTo(page, "[data-testid=toast-action]");
    await page.keyboard.press("Enter");
    await page.waitForSelector(".session-row", { timeout: 10_000 });
  });
}
