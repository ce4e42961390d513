import type { IntegrityProblem, ItemsPage, StorageFeature } from "../../src/storage/index.ts";
import { assembleExport, loadExportFrame, writeFileAtomicWith } from "./export.ts";

/** Items read and written at a time: 50 chunks. */
export const EXPORT_PAGE = 1_000;

/** `value` as `JSON.stringify(value, null, 2)` would print it `depth` levels deep in an object. */
const nested = (value: unknown, depth: number) => JSON.stringify(value, null, 2).replace(/\n/g, `\n${"  ".repeat(depth)}`);

/**
 * Writes the full JSON export to `path` a page of items at a time, the same
 * text `JSON.stringify(buildFullExport(…), null, 2)` gives, so memory follows
 * one page, not the session. Temp file, flush, rename, flush the folder:
 * a reader never sees half of it, and a failure leaves no temp file.
 * `progress` gets the items written so far and the total, from 0 to the total.
 */
export async function writeFullExport(
  storage: StorageFeature,
  sessionId: string,
  exportedAt: number,
  path: string,
  progress?: (done: number, total: number) => void,
): Promise<{ bytes: number; items: number }> {
  const frame = await loadExportFrame(storage, sessionId, exportedAt);
  const lists = [
    { key: "screenshots", count: frame.metadata.screenshots.itemCount, page: (range: { offset: number; limit: number }) => storage.sessions.getScreenshotsPage(sessionId, range) as Promise<ItemsPage<unknown>> },
    { key: "audioSegments", count: frame.metadata.audio.itemCount, page: (range: { offset: number; limit: number }) => storage.sessions.getAudioSegmentsPage(sessionId, range) as Promise<ItemsPage<unknown>> },
  ];
  const total = lists.reduce((sum, list) => sum + list.count, 0);
  let bytes = 0;
  let done = 0;
  await writeFileAtomicWith(path, async (writeText) => {
    const write = (text: string) => {
      bytes += writeText(text);
    };
    const problems: IntegrityProblem[] = [];
    progress?.(0, total);
    write("{");
    const keys = Object.keys(assembleExport(frame, [], [], []));
    for (const [n, key] of keys.entries()) {
      write(`${n === 0 ? "" : ","}\n  ${JSON.stringify(key)}: `);
      const list = lists.find((l) => l.key === key);
      if (list === undefined) {
        // Every list comes before the integrity section that reports their unreadable chunks.
        write(nested((assembleExport(frame, [], [], problems) as Record<string, unknown>)[key], 1));
        continue;
      }
      let written = 0;
      for (let offset = 0; offset < list.count; offset += EXPORT_PAGE) {
        const page = await list.page({ offset, limit: EXPORT_PAGE });
        problems.push(...page.problems);
        for (const item of page.items) write(`${written++ === 0 ? "[" : ","}\n    ${nested(item, 2)}`);
        done += Math.min(EXPORT_PAGE, list.count - offset);
        progress?.(done, total);
      }
      write(written === 0 ? "[]" : "\n  ]");
    }
    write("\n}\n");
  });
  return { bytes, items: done };
}
