/**
 * Shared ground for the hostile-input suite: a real data folder on disk with a
 * neighbour folder outside it, and snapshots that show whether anything
 * outside changed or any stored byte was lost.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export interface Ground {
  readonly root: string;
  /** The data folder the engine opens. */
  readonly dataDir: string;
  /** A folder beside it holding what a user keeps elsewhere: keys, documents. */
  readonly outside: string;
  cleanup(): void;
}

export function createGround(prefix: string): Ground {
  const root = mkdtempSync(join(tmpdir(), `stint-hostile-${prefix}-`));
  const dataDir = join(root, "data");
  const outside = join(root, "home");
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(join(outside, ".ssh"), { recursive: true });
  mkdirSync(join(outside, "Documents", "project"), { recursive: true });
  writeFileSync(join(outside, ".ssh", "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n");
  writeFileSync(join(outside, "Documents", "notes.txt"), "outside notes");
  writeFileSync(join(outside, "Documents", "project", "a.txt"), "project file a");
  writeFileSync(join(outside, "Documents", "project", "b.txt"), "project file b");
  return { root, dataDir, outside, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Every entry under `dir`: files by content digest, links by target, folders by name. */
export function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (path: string): void => {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return;
    const name = relative(dir, path) || ".";
    // An atomic write's temporary sibling lives for a moment; it is never stored data.
    if (/\.tmp-\d+-\d+$/.test(name)) return;
    if (stat.isSymbolicLink()) entries.set(name, `link:${readlinkSync(path)}`);
    else if (stat.isDirectory()) {
      entries.set(name, "dir");
      for (const child of readdirSync(path)) walk(join(path, child));
    } else entries.set(name, `file:${sha256Hex(readFileSync(path))}`);
  };
  walk(dir);
  return entries;
}

/**
 * What `before` held that `after` lost (new entries are not losses). Records
 * that `mutable` names may be rewritten in place (a running session updates
 * them) but must still be there; everything else, blobs above all, must keep
 * every byte.
 */
export function losses(before: Map<string, string>, after: Map<string, string>, mutable: (name: string) => boolean = () => false): string[] {
  const lost: string[] = [];
  for (const [name, value] of before) {
    const now = after.get(name);
    if (now === value) continue;
    if (now !== undefined && mutable(name) && now.startsWith("file:") && value.startsWith("file:")) continue;
    lost.push(`${name}: ${value} → ${now ?? "gone"}`);
  }
  return lost;
}

/** Differences both ways: for folders that must not change at all. */
export function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const added = [...after.keys()].filter((name) => !before.has(name)).map((name) => `${name}: added`);
  return [...losses(before, after), ...added];
}
