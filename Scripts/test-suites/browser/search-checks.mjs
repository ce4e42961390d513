// Content search in the panel (Chromium): a word said in one session's transcript and a word shown in
// another's screen text are found through the engine's search.query and open their session at that moment.
import { build } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { artifacts, assert, root, startServer, waitFor } from "./support.mjs";

/** Where the planted words are: each in exactly one session, at one moment. */
const SAID = { word: "kittiwake", ms: 455_000, time: "7:35", name: "Harbour planning" };
const SHOWN = { word: "quokkaboard", ms: 300_000, time: "5:00", name: "Dashboard review" };

// Planted the way recording and enrichment write records, through the engine's own storage
// (storage alone: nothing queues enrichment, which could rewrite the planted screen text mid-check).
const SEED = `
import { createEngine } from "./engine/src/engine/index.ts";
import { createStorageFeature } from "./engine/src/storage/index.ts";
import { filler, plant, sessionId } from "./engine/src/search/corpus.test-helpers.ts";
import { createNodeHost } from "./engine/node/node-host.ts";

export async function seed(dataDir, planted) {
  const engine = await createEngine(createNodeHost({ dataDir, env: {}, logLevel: "error" }), [createStorageFeature()]);
  try {
    const storage = engine.context.features.get("storage");
    for (let n = 1; n <= 6; n++) {
      // Ten minutes each: a screenshot every 5 s and a transcript line every 20 s, so a late moment is far down the timeline.
      const screens = Array.from({ length: 120 }, (_, i) => [i * 5_000, n === 2 && i * 5_000 === planted.shown.ms ? \`Export finished: \${planted.shown.word} totals ready\` : \`\${filler(n * 1000 + i, 12)} screen \${i}\`, ["Safari"]]);
      const transcript = Array.from({ length: 30 }, (_, i) => [i * 20_000 + 12_000, filler(n * 100 + i, 10)]);
      if (n === 1) transcript.push([planted.said.ms, \`then we counted the \${planted.said.word} nests on the cliff\`]);
      transcript.sort((a, b) => a[0] - b[0]);
      const name = n === 1 ? planted.said.name : n === 2 ? planted.shown.name : \`Session \${n}\`;
      await plant(storage, { n, name, day: n, screens, transcript });
    }
    return { said: sessionId(1), shown: sessionId(2) };
  } finally {
    await engine.stop();
  }
}
`;

async function seedDataFolder() {
  const dir = mkdtempSync(join(tmpdir(), "stint-search-ui-"));
  const out = await build({ stdin: { contents: SEED, resolveDir: root, loader: "js", sourcefile: "seed.mjs" }, bundle: true, write: false, format: "esm", platform: "node", target: "node20", packages: "external", logLevel: "error" });
  // Inside the repository, so the bundle's external packages resolve from its node_modules.
  const module = join(artifacts, `search-seed-${process.pid}.mjs`);
  writeFileSync(module, out.outputFiles[0].text);
  const dataDir = join(dir, "data");
  try {
    const ids = await (await import(pathToFileURL(module).href)).seed(dataDir, { said: SAID, shown: SHOWN });
    return { dir, dataDir, ids };
  } finally {
    rmSync(module, { force: true });
  }
}

/** Player time, route and the timeline's highlighted row once the opened session settles on the moment. */
async function momentOf(page, want) {
  return waitFor(
    () =>
      page.evaluate((ms) => {
        const time = Number(document.querySelector("[data-testid=player-time]")?.getAttribute("data-ms"));
        const list = document.querySelector("[data-testid=timeline]");
        const row = list?.querySelector(".row[data-active=true]");
        if (time !== ms || list === null || row === null || row === undefined) return null;
        const a = row.getBoundingClientRect();
        const b = list.getBoundingClientRect();
        if (!(a.top >= b.top - 1 && a.bottom <= b.bottom + 1)) return null;
        return { hash: location.hash, scrollTop: list.scrollTop, rowTime: row.querySelector(".row-time")?.textContent, rowText: row.textContent, title: document.querySelector("#detail-title")?.textContent };
      }, want.ms),
    { what: `the session open at ${want.time}`, timeoutMs: 30_000 },
  );
}

export async function searchChecks({ run, page, cleanups }) {
  const seeded = await seedDataFolder();
  cleanups.push(() => rmSync(seeded.dir, { recursive: true, force: true }));
  const server = await startServer({ demo: false, dataDir: seeded.dataDir });
  cleanups.push(() => server.stop());

  await run.check("search at 380×600: / focuses the box, a word said in one session's transcript opens that session at its moment (Enter)", async () => {
    await page.setViewportSize({ width: 380, height: 600 });
    await page.goto(server.url);
    await page.waitForSelector(".session-row", { timeout: 30_000 });
    await page.locator("body").press("/");
    await waitFor(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid") === "search"), { what: "focus on the search box" });
    await page.keyboard.type(SAID.word);
    // The answer to the whole word, from the engine: one session, one moment.
    const hits = await waitFor(
      () =>
        page.evaluate((word) => {
          const box = document.querySelector(`[data-testid=search-results][data-query="${word}"]`);
          if (box === null) return null;
          const r = box.getBoundingClientRect();
          return { hits: [...box.querySelectorAll("[data-testid=search-hit]")].map((h) => ({ id: h.getAttribute("data-session-id"), ms: Number(h.getAttribute("data-ms")), text: h.textContent, mark: h.querySelector("mark")?.textContent, selected: h.getAttribute("aria-selected") })), inside: r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight, overflowX: document.documentElement.scrollWidth - innerWidth, group: box.querySelector(".hit-session-name")?.textContent };
        }, SAID.word),
      // The server's first query indexes every session: on a loaded machine that takes a while.
      { what: "the hits for the spoken word", timeoutMs: 60_000 },
    );
    assert(hits.hits.length === 1 && hits.hits[0].id === seeded.ids.said && hits.hits[0].ms === SAID.ms, `one hit in ${seeded.ids.said} at ${SAID.ms}: ${JSON.stringify(hits.hits)}`);
    assert(hits.group === SAID.name && hits.hits[0].mark?.toLowerCase() === SAID.word && hits.hits[0].text.includes(SAID.time) && hits.hits[0].selected === "true", `the hit shows its session, time and marked word: ${JSON.stringify(hits)}`);
    assert(hits.inside && hits.overflowX <= 0, `the results fit the popover: ${JSON.stringify(hits)}`);
    await page.screenshot({ path: join(artifacts, "chromium-search-380x600.png") });
    await page.keyboard.press("Enter");
    const moment = await momentOf(page, SAID);
    assert(moment.hash === `#/session/${seeded.ids.said}/timeline@${SAID.ms}` && moment.title === SAID.name, `opened ${JSON.stringify(moment)}`);
    assert(moment.rowTime === SAID.time && moment.rowText.includes(SAID.word) && moment.scrollTop > 1000, `the timeline shows the spoken line: ${JSON.stringify(moment)}`);
    return `${SAID.word} → ${moment.title} at ${moment.rowTime}, timeline scrolled to ${Math.round(moment.scrollTop)} px`;
  });

  await run.check("search: a word shown on screen (OCR text) in one session opens it at that screenshot (click)", async () => {
    await page.goto(server.url);
    await page.waitForSelector(".session-row", { timeout: 30_000 });
    await page.fill("[data-testid=search]", SHOWN.word);
    // Find and click in one script: the list re-renders as answers arrive.
    const clicked = await waitFor(
      () =>
        page.evaluate((word) => {
          const hits = [...document.querySelectorAll(`[data-testid=search-results][data-query="${word}"] [data-testid=search-hit]`)];
          if (hits.length === 0) return null;
          hits[0].click();
          return hits.map((h) => ({ id: h.getAttribute("data-session-id"), ms: Number(h.getAttribute("data-ms")), kind: h.querySelector(".hit-kind")?.textContent }));
        }, SHOWN.word),
      { what: "the hits for the shown word", timeoutMs: 30_000 },
    );
    assert(clicked.length === 1 && clicked[0].id === seeded.ids.shown && clicked[0].ms === SHOWN.ms && clicked[0].kind === "on screen", `one screen hit in ${seeded.ids.shown} at ${SHOWN.ms}: ${JSON.stringify(clicked)}`);
    const moment = await momentOf(page, SHOWN);
    assert(moment.title === SHOWN.name && moment.rowTime === SHOWN.time && moment.scrollTop > 1000, `opened ${JSON.stringify(moment)}`);
    await page.setViewportSize({ width: 1280, height: 800 });
    return `${SHOWN.word} → ${moment.title} at ${moment.rowTime}`;
  });
}
