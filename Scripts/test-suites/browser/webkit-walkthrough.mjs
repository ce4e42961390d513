// The keyboard-only walkthrough in real WebKit at popover size (380×600):
// record → mark → end → review → edit → export → delete → undo, with a screenshot of each screen.
// Every check that reads the page and then acts on it does both in one executed script, so a
// re-render between two WebDriver calls cannot hand it a stale element.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { assert, root, waitFor } from "./support.mjs";

export const KEY = { tab: "\uE004", enter: "\uE007", shift: "\uE008", control: "\uE009", escape: "\uE00C" };

/** Presses Tab (Shift+Tab going back) until the focused element matches `css`. */
async function tabTo(driver, css, { back = false, max = 60 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await driver.exec("return document.activeElement !== null && document.activeElement.matches(arguments[0])", [css])) return;
    await (back ? driver.chord(KEY.shift, KEY.tab) : driver.keys(KEY.tab));
  }
  const at = await driver.exec("const a = document.activeElement; return a ? `${a.tagName}.${a.className} ${a.getAttribute('data-testid') ?? ''}` : 'nothing'");
  throw new Error(`Tab did not reach ${css} (focus is on ${at})`);
}

const focusIs = (driver, css) => driver.exec("return document.activeElement !== null && document.activeElement.matches(arguments[0])", [css]);
const toastSays = (driver, text) => driver.exec("return [...document.querySelectorAll('[data-testid=toast]')].some((e) => e.textContent.includes(arguments[0]))", [text]);

/** Gross layout at popover size: no sideways overflow, the page never scrolls, a one-line header. */
async function layout(driver) {
  return driver.exec("const d = document.documentElement; const top = document.querySelector('.topbar').getBoundingClientRect(); return { overflowX: d.scrollWidth - innerWidth, pageScroll: d.scrollHeight - innerHeight, header: Math.round(top.height) }");
}

async function assertLayout(driver, where) {
  const l = await layout(driver);
  assert(l.overflowX <= 0 && l.pageScroll <= 0 && l.header <= 48, `${where} at 380×600: ${JSON.stringify(l)}`);
}

// Each screen of the walkthrough, kept with the other layout screenshots for review.
const shots = join(root, "docs/screenshots");
const shot = (driver, step) => driver.screenshot(step, join(shots, `panel-walk-${step}-380x600-webkit.png`));

export async function webkitWalkthrough({ run, driver, recordServer }) {
  mkdirSync(shots, { recursive: true });
  await run.check("keyboard only at 380×600: record → mark → end → review → edit → export → delete → undo", async () => {
    await driver.navigate(recordServer.url);
    await driver.waitFor("[data-testid=first-run]");
    await shot(driver, "1-first-run");
    await waitFor(() => driver.exec("return document.querySelector('[data-testid=rec-start]:not([disabled])') !== null"), { what: "the Record button" });
    await driver.keys("r");
    await driver.waitFor("[data-testid=recording-controls][data-phase=recording]", 20_000);
    await waitFor(() => driver.exec("return document.querySelector('[data-testid=elapsed]').textContent !== '0:00'"), { what: "elapsed time" });
    // Focus stays in the controls after the Record button is replaced, never on the page body.
    await waitFor(() => driver.exec("return document.activeElement !== document.body && document.activeElement !== null"), { what: "focus off the page body after Record" });
    await assertLayout(driver, "recording");
    await shot(driver, "2-recording");

    await driver.keys("m");
    await waitFor(() => focusIs(driver, "[data-testid=marker-name] input"), { what: "the marker name field" });
    await shot(driver, "3-marker-name");
    await driver.keys("WebKit mark");
    await driver.keys(KEY.enter);
    await waitFor(() => toastSays(driver, "WebKit mark"), { what: "the marker toast" });

    // The session being recorded, opened from its row: its figures keep up with the recording.
    await tabTo(driver, ".session-row");
    await driver.keys(KEY.enter);
    await waitFor(() => focusIs(driver, "#detail-title"), { what: "focus on the live session's heading" });
    const figures = () => driver.exec("const m = document.querySelector('.detail-header .session-meta'); const t = document.querySelector('[data-testid=player-time]'); return m && t ? { meta: m.textContent, duration: document.querySelector('[data-testid=duration]').textContent, player: t.textContent } : null");
    const first = await waitFor(figures, { what: "the live session's figures" });
    // The duration ticks with the recording, and the player spans what was captured so far.
    await waitFor(async () => {
      const now = await figures();
      return now !== null && now.meta !== first.meta && now.duration !== "0 s" && !/\/ 0:00$/.test(now.player);
    }, { what: `the live figures to move on from ${JSON.stringify(first)}`, timeoutMs: 20_000 });
    await assertLayout(driver, "live detail");
    await shot(driver, "4-live-detail");

    await driver.keys("e");
    await driver.waitFor("[data-testid=processing]", 20_000);
    await waitFor(() => driver.exec("return document.querySelector('[data-testid=no-enrichment], [data-stage=enrich][data-status=completed]') !== null"), { what: "processing to finish", timeoutMs: 90_000 });
    await waitFor(() => driver.exec("return / is ready$/.test(document.getElementById('processing-title').textContent)"), { what: "the finished heading" });
    await assertLayout(driver, "processing");
    await shot(driver, "5-processed");

    await tabTo(driver, "[data-testid=open-processed]");
    await driver.keys(KEY.enter);
    await waitFor(() => focusIs(driver, "#detail-title"), { what: "focus on the session's heading" });
    await assertLayout(driver, "detail");
    await shot(driver, "6-detail");

    await tabTo(driver, "[data-testid=edit-summary]");
    await driver.keys(KEY.enter);
    await waitFor(() => focusIs(driver, "[data-testid=edit-field]"), { what: "the summary editor" });
    // Select all with the keyboard, then type over it.
    await driver.chord(KEY.control, "a");
    await driver.keys("Typed in WebKit.");
    await driver.chord(KEY.control, KEY.enter);
    await waitFor(() => driver.exec("const p = document.querySelector('[data-testid=summary-text]'); return p !== null && p.textContent === 'Typed in WebKit.'"), { what: "the summary edit" });

    await tabTo(driver, "[data-testid=session-menu] summary", { back: true });
    await driver.keys(KEY.enter);
    await tabTo(driver, "[data-testid=export-md]");
    await driver.keys(KEY.enter);
    const saved = await waitFor(() => driver.exec("const t = [...document.querySelectorAll('[data-testid=toast]')].find((e) => /Saved .+\\.md/.test(e.textContent)); return t ? t.textContent : null"), { what: "the saved toast" });
    await shot(driver, "7-exported");

    await tabTo(driver, "[data-testid=delete]");
    await driver.keys(KEY.enter);
    await waitFor(() => focusIs(driver, "[data-testid=confirm-delete-yes]"), { what: "focus on the confirmation" });
    await shot(driver, "8-confirm");
    await driver.keys(KEY.enter);
    await waitFor(() => toastSays(driver, "Deleted"), { what: "the delete toast" });
    await driver.waitFor("[data-testid=session-list], [data-testid=first-run]");
    await shot(driver, "9-deleted");
    await tabTo(driver, "[data-testid=toast-action]");
    await driver.keys(KEY.enter);
    await driver.waitFor(".session-row");
    await waitFor(() => toastSays(driver, "Restored"), { what: "the restored toast" });
    await shot(driver, "10-restored");
    return saved.replace(/×$/, "").trim();
  });
}
