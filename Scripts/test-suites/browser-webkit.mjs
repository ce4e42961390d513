#!/usr/bin/env node
// The review panel in real WebKit: WebKitGTK's MiniBrowser driven by WebKitWebDriver under Xvfb, plain W3C WebDriver.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { artifacts, assert, createRunner, ensureBuilt, startServer, waitFor } from "./browser/support.mjs";
import { webkitWalkthrough } from "./browser/webkit-walkthrough.mjs";

const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const run = createRunner("browser-webkit");
const cleanups = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function freeDisplay() {
  for (let n = 99; n < 140; n++) if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  throw new Error("no free X display between :99 and :139");
}

function startProcess(command, args, env) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => {
          if (child.exitCode === null) child.kill("SIGKILL");
          resolve();
        }, 3_000);
      }),
  );
  return { child, log: () => log };
}

/** A W3C WebDriver session over fetch. */
async function createDriver(base, { fullScreen = false } = {}) {
  const call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await response.json();
    if (!response.ok || json.value?.error) throw new Error(`${method} ${path}: ${json.value?.error ?? response.status} ${json.value?.message ?? ""}`);
    return json.value;
  };
  const created = await call("POST", "/session", { capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation", ...(fullScreen ? ["--full-screen"] : [])] } } } });
  const id = created.sessionId;
  const s = (path) => `/session/${id}${path}`;
  const driver = {
    setWindow: (width, height) => call("POST", s("/window/rect"), { width, height }),
    navigate: (url) => call("POST", s("/url"), { url }),
    exec: (script, args = []) => call("POST", s("/execute/sync"), { script, args }),
    find: async (css) => Object.values(await call("POST", s("/element"), { using: "css selector", value: css }))[0],
    click: (element) => call("POST", s(`/element/${element}/click`), {}),
    /** Types `text` key by key (W3C actions: real key events, to whatever has focus). */
    keys: (text) => call("POST", s("/actions"), { actions: [{ type: "key", id: "keyboard", actions: [...text].flatMap((value) => [{ type: "keyDown", value }, { type: "keyUp", value }]) }] }),
    /** Holds `modifier` while pressing `key`. */
    chord: (modifier, key) => call("POST", s("/actions"), { actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: modifier }, { type: "keyDown", value: key }, { type: "keyUp", value: key }, { type: "keyUp", value: modifier }] }] }),
    /** Saves a screenshot as .test-artifacts/webkit-<name>.png, or under `path` when given. */
    screenshot: async (name, path = join(artifacts, `webkit-${name}.png`)) => writeFileSync(path, Buffer.from(await call("GET", s("/screenshot")), "base64")),
    waitFor: (css, timeoutMs = 10_000) => waitFor(() => driver.exec("return document.querySelector(arguments[0]) !== null", [css]), { timeoutMs, what: css }),
    quit: () => call("DELETE", s("")).catch(() => undefined),
  };
  cleanups.push(() => driver.quit());
  return driver;
}

/** An X screen of `width`×`height`, WebKitWebDriver on it, and a MiniBrowser session. */
async function startBrowser(width, height, { fullScreen = false } = {}) {
  const display = freeDisplay();
  const xvfb = startProcess("Xvfb", [`:${display}`, "-screen", "0", `${width}x${height}x24`, "-nolisten", "tcp"]);
  await waitFor(() => existsSync(`/tmp/.X11-unix/X${display}`), { what: `Xvfb :${display}`, timeoutMs: 10_000 }).catch((error) => {
    throw new Error(`${error.message}: ${xvfb.log()}`);
  });
  const port = await freePort();
  const wd = startProcess("WebKitWebDriver", [`--port=${port}`], { DISPLAY: `:${display}` });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok).catch(() => false)), { what: "WebKitWebDriver", timeoutMs: 10_000 }).catch((error) => {
    throw new Error(`${error.message}: ${wd.log()}`);
  });
  const driver = await createDriver(`http://127.0.0.1:${port}`, { fullScreen });
  if (fullScreen) {
    // Without a window manager "full screen" only hides the toolbar; the size is then set exactly.
    await driver.setWindow(width, height);
    const size = await waitFor(async () => {
      const [w, h] = await driver.exec("return [innerWidth, innerHeight]");
      return w === width && h === height ? [w, h] : null;
    }, { what: `a ${width}×${height} view`, timeoutMs: 10_000 }).catch(async (error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await driver.exec("return [innerWidth, innerHeight]"))}`);
    });
    assert(size !== null, "the popover-size view");
  }
  return driver;
}

async function main() {
  ensureBuilt();
  const server = await startServer({ demo: true });
  cleanups.push(() => server.stop());
  const driver = await startBrowser(1280, 800);
  // Sized before the first navigation: a resize after load leaves a black band in screenshots.
  await driver.setWindow(1280, 800);
  // MiniBrowser's toolbar keeps a window at least ~450 px wide; "full screen" drops the toolbar,
  // so the popover size (380×600) gets its own browser with an exact view.
  const popover = await startBrowser(380, 600, { fullScreen: true });
  const recordServer = await startServer({ demo: false });
  cleanups.push(() => recordServer.stop());
  if (process.env.STINT_WEBKIT_ONLY === "walkthrough") return webkitWalkthrough({ run, driver: popover, recordServer });

  await run.check("list: the demo sessions, newest first", async () => {
    await driver.navigate(server.url);
    await driver.waitFor("[data-testid=session-list] .session-row");
    const names = await driver.exec("return [...document.querySelectorAll('.session-row .session-name')].map(e => e.textContent)");
    assert(names.length >= 6 && names[0] === "Morning standup notes", `unexpected list ${JSON.stringify(names)}`);
    await driver.screenshot("list");
  });

  await run.check("detail: the virtualized timeline and the player", async () => {
    await driver.click(await driver.find("[data-session-id=demo-parser]"));
    await driver.waitFor("[data-testid=tab-timeline]");
    await driver.click(await driver.find("[data-testid=tab-timeline]"));
    await driver.waitFor("[data-testid=timeline] .row");
    const [rows, total] = await driver.exec("const rows = document.querySelectorAll('[data-testid=timeline] .row'); return [rows.length, Number(rows[0].getAttribute('aria-setsize'))]");
    assert(total > 300 && rows < 40, `expected a window of rows out of ${total}, got ${rows}`);
    await driver.screenshot("detail");
  });

  await run.check("evidence chip: seeks the player and scrolls the timeline", async () => {
    await driver.click(await driver.find("[data-testid=tab-summary]"));
    await driver.waitFor("[data-testid=tasks] [data-testid=evidence-chip]");
    const target = await driver.exec("return Number(document.querySelectorAll('[data-testid=tasks] [data-testid=evidence-chip]')[1].dataset.t)");
    const chips = await driver.exec("return document.querySelectorAll('[data-testid=tasks] [data-testid=evidence-chip]').length");
    assert(chips >= 2, "the tasks have evidence chips");
    await driver.exec("document.querySelectorAll('[data-testid=tasks] [data-testid=evidence-chip]')[1].scrollIntoView()");
    await driver.click(await driver.find("[data-testid=tasks] li:nth-child(2) [data-testid=evidence-chip]"));
    await waitFor(async () => Math.abs(Number(await driver.exec("return document.querySelector('[data-testid=player-time]').dataset.ms")) - target) < 1500, { what: `player time near ${target}` });
    await driver.click(await driver.find("[data-testid=tab-timeline]"));
    const scrolled = await waitFor(() => driver.exec("const t = document.querySelector('[data-testid=timeline]'); const r = t.querySelector('.row[data-active=true]'); if (!r || t.scrollTop < 1000) return 0; const a = r.getBoundingClientRect(), b = t.getBoundingClientRect(); return a.top >= b.top - 1 && a.bottom <= b.bottom + 1 ? t.scrollTop : 0"), { what: "the timeline to scroll to the active row" });
    await driver.screenshot("evidence");
    return `t=${target} ms, scrolled to ${Math.round(scrolled)} px`;
  });

  await run.check("popover size 380×600: one-line header, one scroll area, collapse and expand", async () => {
    await popover.navigate(`${server.url}#/session/demo-parser`);
    await popover.waitFor("[data-testid=tab-timeline]");
    await popover.click(await popover.find("[data-testid=tab-timeline]"));
    await popover.waitFor("[data-testid=unchanged-run]");
    const layout = await popover.exec("const d = document.documentElement; const top = document.querySelector('.topbar').getBoundingClientRect(); const tabs = document.querySelector('.tabs').getBoundingClientRect(); return { overflowX: d.scrollWidth - innerWidth, pageScroll: d.scrollHeight - innerHeight, header: top.height, tabsBottom: tabs.bottom, h: innerHeight }");
    assert(layout.overflowX <= 0 && layout.pageScroll <= 0 && layout.header <= 48 && layout.tabsBottom < layout.h * 0.75, `layout at 380×600: ${JSON.stringify(layout)}`);
    const before = await popover.exec("return Number(document.querySelector('[data-testid=timeline] .row').getAttribute('aria-setsize'))");
    // Scrolled into view first: while the timeline scrolls its rows are light placeholders, not buttons.
    await popover.exec("document.querySelector('[data-testid=unchanged-run]').scrollIntoView({ block: 'center' })");
    // Find and click in one script: between two WebDriver calls the virtualized window may re-render and drop the row.
    await waitFor(() => popover.exec("const run = document.querySelector('[data-testid=unchanged-run]'); if (!run || document.querySelector('[data-testid=timeline] .row-light')) return false; run.click(); return true"), { what: "scrolling to settle and the run to be clicked" });
    await waitFor(async () => Number(await popover.exec("return Number(document.querySelector('[data-testid=timeline] .row').getAttribute('aria-setsize'))")) > before, { what: `the run to expand from ${before} rows` });
    await popover.screenshot("popover-timeline");
    return JSON.stringify(layout);
  });

  await webkitWalkthrough({ run, driver: popover, recordServer });
}

try {
  await main();
} catch (error) {
  run.fail("suite setup", error);
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
  run.finish();
}
